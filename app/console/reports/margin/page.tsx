import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { marginReport, type MarginFigures } from "@/lib/reports/margin";
import { monthParams, optionalUuid } from "@/lib/reports/report-params";
import type { SearchParams } from "@/lib/console/table-query";
import { BarChart } from "@/components/console/bar-chart";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Margin" };
export const dynamic = "force-dynamic";

const m = (cents: bigint) => formatMoney(cents, "CAD");
const pct = (f: MarginFigures) => (f.marginPercent === null ? "—" : `${f.marginPercent} %`);
const figureColumns = [
  { key: "revenue", header: "Revenue", align: "right" as const }, { key: "cost", header: "Cost", align: "right" as const },
  { key: "margin", header: "Margin", align: "right" as const }, { key: "percent", header: "Margin %", align: "right" as const },
];
const figureCells = (f: MarginFigures) => ({ revenue: m(f.revenueCents), cost: m(f.costCents), margin: m(f.marginCents), percent: pct(f) });

export default async function MarginPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const { from, to } = monthParams(params, 3);
  const serviceId = optionalUuid(params, "service");
  const customerId = optionalUuid(params, "customer");
  let report;
  try {
    report = await marginReport(db(), from, to, { serviceId, customerId });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4"><PageHeader title="Margin" back={{ href: "/console/reports", label: "Reports" }} /><p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  const base = `from=${from}&to=${to}`;
  const query = `${base}${serviceId ? `&service=${serviceId}` : ""}${customerId ? `&customer=${customerId}` : ""}`;
  return (
    <div className="space-y-8">
      <PageHeader title="Margin" back={{ href: "/console/reports", label: "Reports" }}
        description={`Net revenue (before tax, less credit notes) minus provider costs from ${from} to ${to}; a cost's day is a day in Toronto. Margin ${m(report.totals.marginCents)} (${pct(report.totals)}).`}>
        <a href={`/console/reports/margin/export?${query}`} className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">Download CSV</a>
      </PageHeader>
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          <label>From <input type="month" name="from" defaultValue={from} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label>To <input type="month" name="to" defaultValue={to} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          {serviceId ? <input type="hidden" name="service" value={serviceId} /> : null}
          {customerId ? <input type="hidden" name="customer" value={customerId} /> : null}
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Show</button>
          {serviceId || customerId ? <a href={`?${base}`} className="text-sky-700 hover:underline">All services and customers</a> : null}
        </form>
      </Panel>
      <BarChart label="Margin by service" bars={report.byService.map((s) => ({ label: s.service, value: s.marginCents, display: `${m(s.marginCents)} (${pct(s)})`, href: `?${base}&service=${s.serviceId}` }))} />
      <BarChart label="Margin by month" bars={report.byMonth.map((b) => ({ label: b.month, value: b.marginCents, display: `${m(b.marginCents)} (${pct(b)})` }))} />
      {!customerId ? (
        <PageSection title="By customer">
          <SimpleDataTable label="Margin by customer" empty="No revenue or cost in these months."
            columns={[{ key: "name", header: "Customer", link: true }, ...figureColumns]}
            rows={report.byCustomer.map((c) => ({ name: c.customer, nameHref: `?${query}&customer=${c.customerId}`, ...figureCells(c) }))} />
        </PageSection>
      ) : null}
      <PageSection title="By month, service and customer">
        <SimpleDataTable label="Margin by month, service and customer" empty="No revenue or cost in these months."
          columns={[{ key: "month", header: "Month" }, { key: "service", header: "Service" }, { key: "customer", header: "Customer" }, ...figureColumns, { key: "types", header: "Costs by type" }]}
          rows={report.rows.map((r) => ({
            month: r.month, service: r.service, customer: r.customer, ...figureCells(r),
            types: Object.entries(r.costsByType).map(([type, cents]) => `${type} ${m(cents)}`).join(", "),
          }))} />
      </PageSection>
    </div>
  );
}
