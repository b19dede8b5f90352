import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { monthParams, optionalUuid } from "@/lib/reports/report-params";
import { revenueReport } from "@/lib/reports/revenue";
import type { SearchParams } from "@/lib/console/table-query";
import { BarChart } from "@/components/console/bar-chart";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Revenue and MRR" };
export const dynamic = "force-dynamic";

const m = (cents: bigint) => formatMoney(cents, "CAD");

export default async function RevenuePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const { from, to } = monthParams(params, 12);
  const serviceId = optionalUuid(params, "service");
  let report;
  try {
    report = await revenueReport(db(), from, to, { serviceId });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4"><PageHeader title="Revenue and MRR" back={{ href: "/console/reports", label: "Reports" }} /><p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  const query = `from=${from}&to=${to}${serviceId ? `&service=${serviceId}` : ""}`;
  const totals = report.mrr.filter((r) => r.serviceId === null);
  return (
    <div className="space-y-8">
      <PageHeader title="Revenue and MRR" back={{ href: "/console/reports", label: "Reports" }}
        description={`Invoiced, credited and collected from ${from} to ${to} by service and plan, before tax except collected (cash received, tax included); MRR movements per month. Net revenue ${m(report.totals.netCents)}.`}>
        <a href={`/console/reports/revenue/export?${query}`} className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">Download revenue CSV</a>
        <a href={`/console/reports/revenue/export?${query}&table=mrr`} className="rounded-md border border-slate-300 px-4 py-1.5 text-sm font-medium">Download MRR CSV</a>
      </PageHeader>
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          <label>From <input type="month" name="from" defaultValue={from} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label>To <input type="month" name="to" defaultValue={to} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          {serviceId ? <input type="hidden" name="service" value={serviceId} /> : null}
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Show</button>
          {serviceId ? <a href={`?from=${from}&to=${to}`} className="text-sky-700 hover:underline">All services</a> : null}
        </form>
      </Panel>
      <BarChart label="Net revenue by month" bars={report.byMonth.map((b) => ({ label: b.month, value: b.netCents, display: m(b.netCents) }))} />
      <BarChart label="MRR at the end of each month" bars={totals.map((t) => ({ label: t.month, value: t.closingCents, display: m(t.closingCents) }))} />
      <PageSection title="MRR movements" description="Per customer and service, the start of the month against the start of the next (midnight in Toronto).">
        <SimpleDataTable label="MRR movements" empty="No recurring revenue in these months."
          columns={[
            { key: "month", header: "Month" }, { key: "service", header: "Service", link: true }, { key: "opening", header: "Opening", align: "right" }, { key: "new", header: "New", align: "right" },
            { key: "expansion", header: "Expansion", align: "right" }, { key: "contraction", header: "Contraction", align: "right" }, { key: "churn", header: "Churn", align: "right" }, { key: "closing", header: "Closing", align: "right" },
          ]}
          rows={report.mrr.map((r) => ({
            month: r.month, service: r.service, serviceHref: r.serviceId ? `?from=${from}&to=${to}&service=${r.serviceId}` : null, opening: m(r.openingCents), new: m(r.newCents),
            expansion: m(r.expansionCents), contraction: m(r.contractionCents), churn: m(r.churnCents), closing: m(r.closingCents),
          }))} />
      </PageSection>
      <PageSection title="By service and plan">
        <SimpleDataTable label="Revenue by service and plan" empty="Nothing was invoiced, credited or collected in these months."
          columns={[
            { key: "month", header: "Month" }, { key: "service", header: "Service", link: true }, { key: "plan", header: "Plan" }, { key: "invoiced", header: "Invoiced", align: "right" },
            { key: "credited", header: "Credited", align: "right" }, { key: "net", header: "Net revenue", align: "right" }, { key: "collected", header: "Collected", align: "right" },
          ]}
          rows={[
            ...report.rows.map((r) => ({
              month: r.month, service: r.service, serviceHref: `?from=${from}&to=${to}&service=${r.serviceId}`, plan: r.plan, invoiced: m(r.invoicedCents),
              credited: m(r.creditedCents), net: m(r.netCents), collected: m(r.collectedCents),
            })),
            ...(report.rows.length ? [{ month: "Total", service: "", plan: "", invoiced: m(report.totals.invoicedCents), credited: m(report.totals.creditedCents), net: m(report.totals.netCents), collected: m(report.totals.collectedCents) }] : []),
          ]} />
      </PageSection>
    </div>
  );
}
