import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { IMPORT_RUN_SORTS, listImportRuns, toImportRunRow } from "@/lib/console/nexacloud";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { IMPORT_KIND } from "@/lib/nexacloud/importer";
import { loadSourceSettings } from "@/lib/nexacloud/source-settings";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ImportRunsTable } from "@/components/console/import-runs-table";
import { LatestImportRun, SourceSettingsForm, StartImportForms, TestConnectionForm } from "@/components/console/nexacloud-import-panels";
import { saveSourceSettingsAction, startImportAction, testConnectionAction } from "./actions";

export const metadata: Metadata = { title: "Imports" };
export const dynamic = "force-dynamic";

export default async function ImportsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const query = parseTableQuery(params, "r_", { sortable: IMPORT_RUN_SORTS, defaultSort: "startedAt", defaultDesc: true, defaultPerPage: 10 });
  const [settings, services, latest, runs] = await Promise.all([
    loadSourceSettings(db()),
    db().service.findMany({ where: { mode: "shadow" }, orderBy: { name: "asc" }, select: { id: true, name: true, code: true } }),
    db().importRun.findFirst({ where: { kind: IMPORT_KIND }, orderBy: { startedAt: "desc" } }),
    listImportRuns(db(), IMPORT_KIND, query),
  ]);
  const warnings = latest ? (latest.log as { level?: string }[]).filter((e) => e.level === "warning").length : 0;
  return (
    <div className="space-y-8">
      <PageHeader title="NexaCloud import"
        description="NexaCloud's users, plans, subscriptions and usage are read read-only and imported into a shadow service: billed beside NexaCloud, never charged, e-mailed or finalized." />
      <PageSection title="Source" description="The importer opens a READ ONLY transaction on this database and never writes to it.">
        <Panel>
          <SourceSettingsForm action={saveSourceSettingsAction} dsnDisplay={settings.dsnDisplay} dsnOrigin={settings.dsnOrigin}
            services={services.map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))}
            defaults={{ service_id: settings.service?.id ?? "", tolerance_cents: settings.toleranceCents.toString(), tolerance_percent: settings.tolerancePercent }} />
          {settings.dsnError ? <p role="alert" className="mt-3 text-sm text-red-700">{settings.dsnError}</p> : null}
        </Panel>
      </PageSection>
      <PageSection title="Run" description="Test the connection (reads nothing but row counts), dry run (computes everything, then rolls back) or import (idempotent: re-running changes nothing).">
        <Panel>
          <div className="space-y-4">
            <TestConnectionForm action={testConnectionAction} />
            <StartImportForms dryRunAction={startImportAction.bind(null, true)} importAction={startImportAction.bind(null, false)} running={latest?.status === "running"} />
            <LatestImportRun run={latest ? toImportRunRow(latest) : null} warnings={warnings} />
          </div>
        </Panel>
      </PageSection>
      <PageSection title="History">
        <ImportRunsTable rows={runs.rows} state={tableState(query, runs)} />
      </PageSection>
    </div>
  );
}
