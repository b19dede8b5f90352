import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { isUuid } from "@/lib/invoicing/service-invoices";
import type { ImportLogEntry } from "@/lib/nexacloud/importer";
import { PageHeader, PageSection } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Import run" };
export const dynamic = "force-dynamic";

const LEVELS = ["error", "warning", "info"] as const;

export default async function ImportRunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ level?: string }> }) {
  const { id } = await params;
  const { level } = await searchParams;
  if (!isUuid(id)) notFound();
  const run = await db().importRun.findUnique({ where: { id } });
  if (!run) notFound();
  const log = (run.log as unknown as ImportLogEntry[]) ?? [];
  const shown = LEVELS.includes(level as never) ? log.filter((e) => e.level === level) : log;
  return (
    <div className="space-y-6">
      <PageHeader back={{ href: "/console/imports", label: "Imports" }} title={`${run.dryRun ? "Dry run" : "Import"} of ${formatDateTime(run.startedAt)}`}
        description={`${run.status} · created ${run.createdCount} · updated ${run.updatedCount} · unchanged ${run.unchangedCount} · skipped ${run.skippedCount} · failed ${run.failedCount} · ${run.processedRows} of ${run.totalRows} rows`} />
      <PageSection title="Log" description="Failed rows with their reason, rows set aside on purpose (skipped) and warnings.">
        <nav aria-label="Log level" className="flex gap-2 text-sm">
          {[["", "All"], ...LEVELS.map((l) => [l, l])].map(([value, label]) => (
            <a key={label} href={value ? `?level=${value}` : "?"} aria-current={(level ?? "") === value ? "page" : undefined}
              className={`rounded-md px-3 py-1 ${(level ?? "") === value ? "bg-slate-900 text-white" : "border border-slate-300"}`}>{label} ({value ? log.filter((e) => e.level === value).length : log.length})</a>
          ))}
        </nav>
        <SimpleDataTable label="Import log" columns={[{ key: "level", header: "Level" }, { key: "entity", header: "Row" }, { key: "sourceId", header: "NexaCloud id" }, { key: "outcome", header: "Outcome" }, { key: "message", header: "Message" }]}
          rows={shown.map((e) => ({ level: e.level, entity: e.entity, sourceId: e.sourceId, outcome: e.outcome ?? null, message: e.message }))} empty="No entries." />
      </PageSection>
    </div>
  );
}
