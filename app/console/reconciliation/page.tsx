import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { listReconciliations, reconciliationSummary } from "@/lib/console/nexacloud";
import { tableState, type SearchParams } from "@/lib/console/table-query";
import { formatMoney } from "@/lib/format";
import { loadSourceSettings } from "@/lib/nexacloud/source-settings";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ReconciliationChart, ReconciliationTable, RunReconciliationForm } from "@/components/console/reconciliation-panels";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { runReconciliationAction } from "./actions";
import { reconciliationExportHref, reconciliationFilters, reconciliationQuery } from "./filters";

export const metadata: Metadata = { title: "Reconciliation" };
export const dynamic = "force-dynamic";

function previousMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const settings = await loadSourceSettings(db());
  const service = settings.service;
  const query = reconciliationQuery(params);
  const filters = reconciliationFilters(params, service?.id ?? "00000000-0000-0000-0000-000000000000", query.filter);
  const [summary, rows] = await Promise.all([service ? reconciliationSummary(db(), service.id) : Promise.resolve([]), listReconciliations(db(), query, filters)]);
  return (
    <div className="space-y-8">
      <PageHeader title="Reconciliation"
        description={<>Dual run of {service ? service.name : "NexaCloud"}: what Nexa Billing computes (pre-tax: base fee + usage) against NexaCloud&apos;s invoice items, per customer and month. A row matches within {settings.toleranceCents.toString()} ¢{settings.tolerancePercent !== "0" ? ` or ${settings.tolerancePercent} %` : ""} (set on the Imports page).</>} />
      <PageSection title="Run" description="Reads NexaCloud read-only and writes only reconciliation rows (re-running a month replaces its rows).">
        <Panel><RunReconciliationForm action={runReconciliationAction} defaultPeriod={previousMonth()} /></Panel>
      </PageSection>
      <PageSection title="Summary per month">
        <ReconciliationChart summary={summary} />
        <SimpleDataTable label="Summary per month"
          columns={[{ key: "period", header: "Month" }, { key: "rows", header: "Rows", align: "right" }, { key: "match", header: "Match", align: "right" }, { key: "delta", header: "Delta", align: "right" }, { key: "error", header: "Error", align: "right" }, { key: "matched", header: "Matched", align: "right" }, { key: "computed", header: "Nexa Billing", align: "right" }, { key: "external", header: "NexaCloud", align: "right" }, { key: "totalDelta", header: "Total delta", align: "right" }]}
          rows={summary.map((s) => ({
            period: s.period, rows: String(s.rows), match: String(s.match), delta: String(s.delta), error: String(s.error), matched: `${s.matchedPercent} %`,
            computed: formatMoney(BigInt(s.computedCents)), external: formatMoney(BigInt(s.externalCents)), totalDelta: formatMoney(BigInt(s.totalDeltaCents)),
          }))} empty="No month reconciled yet." />
      </PageSection>
      <PageSection title="Rows">
        <ReconciliationTable rows={rows.rows} state={tableState(query, rows)} periods={summary.map((s) => s.period).reverse()} filters={filters.raw}
          exportHref={reconciliationExportHref(params)} />
      </PageSection>
    </div>
  );
}
