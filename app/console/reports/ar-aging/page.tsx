import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { AGING_BUCKETS, AGING_LABEL, arAging, type AgingGroup } from "@/lib/reports/ar-aging";
import { asOfParam, BOOKS_CURRENCY, optionalUuid } from "@/lib/reports/report-params";
import type { SearchParams } from "@/lib/console/table-query";
import { BarChart } from "@/components/console/bar-chart";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Accounts receivable aging" };
export const dynamic = "force-dynamic";

const m = (cents: bigint) => formatMoney(cents, BOOKS_CURRENCY);

function groupRows(groups: AgingGroup[], asOf: string, param: "customer" | "service") {
  return groups.map((g) => ({
    name: g.name,
    nameHref: `?as_of=${asOf}&${param}=${g.id}`,
    ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, m(g.buckets[b])])),
    total: m(g.totalCents),
  }));
}

const bucketColumns = AGING_BUCKETS.map((b) => ({ key: b, header: AGING_LABEL[b], align: "right" as const }));

export default async function ArAgingPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const asOf = asOfParam(params);
  const customerId = optionalUuid(params, "customer");
  const serviceId = optionalUuid(params, "service");
  let report;
  try {
    report = await arAging(db(), asOf, { customerId, serviceId });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4"><PageHeader title="Accounts receivable aging" /><p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  const filtered = customerId || serviceId;
  const query = `as_of=${asOf}${customerId ? `&customer=${customerId}` : ""}${serviceId ? `&service=${serviceId}` : ""}`;
  return (
    <div className="space-y-8">
      <PageHeader title="Accounts receivable aging" back={{ href: "/console/reports", label: "Reports" }}
        description={`Open invoices on ${asOf} by days past their due date${filtered ? ` — ${report.invoices[0]?.customer && customerId ? report.invoices[0].customer : ""}${report.invoices[0]?.service && serviceId ? ` ${report.invoices[0].service}` : ""}` : ""}.`}>
        <a href={`/console/reports/ar-aging/export?${query}`} className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">Download CSV</a>
      </PageHeader>
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          <label>As of <input type="date" name="as_of" defaultValue={asOf} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          {customerId ? <input type="hidden" name="customer" value={customerId} /> : null}
          {serviceId ? <input type="hidden" name="service" value={serviceId} /> : null}
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Show</button>
          {filtered ? <a href={`?as_of=${asOf}`} className="text-sky-700 hover:underline">All customers and services</a> : null}
        </form>
      </Panel>
      <BarChart label={`Receivables by age in ${report.currency} (total ${m(report.totals.total)})`} bars={AGING_BUCKETS.map((b) => ({ label: AGING_LABEL[b], value: report.totals[b], display: m(report.totals[b]) }))} />
      {report.otherCurrencies.length > 0 ? (
        <PageSection title="Owed in other currencies"
          description={`Not in the ${report.currency} totals and groups above (the product holds no exchange rates); each invoice is listed below in its currency.`}>
          <SimpleDataTable label="Owed in other currencies"
            columns={[{ key: "currency", header: "Currency" }, { key: "invoices", header: "Invoices", align: "right" }, ...bucketColumns, { key: "total", header: "Total", align: "right" }]}
            rows={report.otherCurrencies.map((o) => ({
              currency: o.currency, invoices: String(o.invoiceCount),
              ...Object.fromEntries(AGING_BUCKETS.map((b) => [b, formatMoney(o.buckets[b], o.currency)])), total: formatMoney(o.totalCents, o.currency),
            }))} />
        </PageSection>
      ) : null}
      {!customerId ? (
        <PageSection title="By customer">
          <SimpleDataTable label="By customer" empty="Nothing is owed."
            columns={[{ key: "name", header: "Customer", link: true }, ...bucketColumns, { key: "total", header: "Total", align: "right" }]}
            rows={groupRows(report.byCustomer, asOf, "customer")} />
        </PageSection>
      ) : null}
      {!serviceId ? (
        <PageSection title="By service">
          <SimpleDataTable label="By service" empty="Nothing is owed."
            columns={[{ key: "name", header: "Service", link: true }, ...bucketColumns, { key: "total", header: "Total", align: "right" }]}
            rows={groupRows(report.byService, asOf, "service")} />
        </PageSection>
      ) : null}
      <PageSection title="Invoices">
        <SimpleDataTable label="Open invoices" empty="Nothing is owed."
          columns={[
            { key: "number", header: "Invoice", link: true }, { key: "customer", header: "Customer" }, { key: "service", header: "Service" },
            { key: "due", header: "Due" }, { key: "days", header: "Days past due", align: "right" }, { key: "bucket", header: "Bucket" }, { key: "amount", header: "Amount due", align: "right" },
          ]}
          rows={report.invoices.map((i) => ({
            number: i.number, numberHref: `/console/invoices/${i.id}`, customer: i.customer, service: i.service, due: i.dueDate,
            days: String(Math.max(0, i.daysPastDue)), bucket: AGING_LABEL[i.bucket], amount: formatMoney(i.amountDueCents, i.currency),
          }))} />
      </PageSection>
    </div>
  );
}
