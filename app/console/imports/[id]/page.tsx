import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { pageWindow } from "@/lib/console/table-query";
import { isUuid } from "@/lib/invoicing/service-invoices";
import type { ImportLogEntry } from "@/lib/nexacloud/importer";
import { PageHeader, PageSection } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Import run" };
export const dynamic = "force-dynamic";

const LEVELS = ["error", "warning", "info"] as const;
const PER_PAGE = 100;

export default async function ImportRunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ level?: string; page?: string }> }) {
  const { id } = await params;
  const { level, page: pageParam } = await searchParams;
  if (!isUuid(id)) notFound();
  const run = await db().importRun.findUnique({ where: { id } });
  if (!run) notFound();
  const log = (run.log as unknown as ImportLogEntry[]) ?? [];
  const chosen = LEVELS.includes(level as never) ? level : "";
  const shown = chosen ? log.filter((e) => e.level === chosen) : log;
  // Long logs (a run over every NexaCloud row) are paged: 100 entries at a time.
  const requested = Number.parseInt(pageParam ?? "1", 10);
  const window = pageWindow({ page: Number.isFinite(requested) && requested > 0 ? requested : 1, perPage: PER_PAGE }, shown.length);
  const entries = shown.slice(window.skip, window.skip + window.take);
  const href = (changes: { level?: string; page?: number }) => {
    const query = new URLSearchParams();
    const nextLevel = changes.level ?? chosen;
    if (nextLevel) query.set("level", nextLevel);
    if (changes.page && changes.page > 1) query.set("page", String(changes.page));
    return `?${query.toString()}`;
  };
  return (
    <div className="space-y-6">
      <PageHeader back={{ href: "/console/imports", label: "Imports" }} title={`${run.dryRun ? "Dry run" : "Import"} of ${formatDateTime(run.startedAt)}`}
        description={`${run.status} · created ${run.createdCount} · updated ${run.updatedCount} · unchanged ${run.unchangedCount} · skipped ${run.skippedCount} · failed ${run.failedCount} · ${run.processedRows} of ${run.totalRows} rows`} />
      <PageSection title="Log" description="Failed rows with their reason, rows set aside on purpose (skipped) and warnings.">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <nav aria-label="Log level" className="flex flex-wrap gap-2 text-sm">
            {[["", "All"], ...LEVELS.map((l) => [l, l])].map(([value, label]) => (
              <a key={label} href={href({ level: value, page: 1 }) || "?"} aria-current={chosen === value ? "page" : undefined}
                className={`rounded-md px-3 py-1 ${chosen === value ? "bg-slate-900 text-white" : "border border-slate-300"}`}>{label} ({value ? log.filter((e) => e.level === value).length : log.length})</a>
            ))}
          </nav>
          <a href={`/console/imports/${run.id}/export${chosen ? `?level=${chosen}` : ""}`} className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-white">Export CSV</a>
        </div>
        <SimpleDataTable label="Import log" columns={[{ key: "level", header: "Level" }, { key: "entity", header: "Row" }, { key: "sourceId", header: "NexaCloud id" }, { key: "outcome", header: "Outcome" }, { key: "message", header: "Message" }]}
          rows={entries.map((e) => ({ level: e.level, entity: e.entity, sourceId: e.sourceId, outcome: e.outcome ?? null, message: e.message }))} empty="No entries." />
        <nav aria-label="Log pages" className="flex items-center justify-between text-sm text-slate-600">
          <span>{shown.length ? `Entries ${window.skip + 1}–${window.skip + entries.length} of ${shown.length}` : "No entries"}</span>
          <span className="flex gap-2">
            {window.page > 1 ? <Link href={href({ page: window.page - 1 })} className="rounded-md border border-slate-300 px-3 py-1">Previous</Link> : null}
            <span>Page {window.page} of {window.pageCount}</span>
            {window.page < window.pageCount ? <Link href={href({ page: window.page + 1 })} className="rounded-md border border-slate-300 px-3 py-1">Next</Link> : null}
          </span>
        </nav>
      </PageSection>
    </div>
  );
}
