import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { booksToday, periodParams, quarterOf } from "@/lib/reports/report-params";
import { OTHER_CURRENCY_NOTICE, salesTaxReport } from "@/lib/reports/sales-tax";
import type { SearchParams } from "@/lib/console/table-query";
import { BarChart } from "@/components/console/bar-chart";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Sales tax report" };
export const dynamic = "force-dynamic";

export default async function SalesTaxPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { from, to } = periodParams(await searchParams);
  const year = Number(booksToday().slice(0, 4));
  const quarters = [year - 1, year].flatMap((y) => [1, 2, 3, 4].map((q) => quarterOf(y, q)));
  let report;
  try {
    report = await salesTaxReport(db(), from, to);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4"><PageHeader title="Sales tax" /><p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  const m = (cents: bigint) => formatMoney(cents, report.currency);
  return (
    <div className="space-y-8">
      <PageHeader title="Sales tax" back={{ href: "/console/reports", label: "Reports" }}
        description={`Invoices issued and credit notes issued from ${from} to ${to} (${report.invoiceCount} invoices, ${report.creditNoteCount} credit notes in ${report.currency}). Voided, draft and shadow invoices are left out.`}>
        <a href={`/console/reports/sales-tax/export?from=${from}&to=${to}`} className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">Download CSV</a>
      </PageHeader>
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          <label>From <input type="date" name="from" defaultValue={from} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label>To <input type="date" name="to" defaultValue={to} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Show</button>
          <span className="text-slate-500">Quarters:</span>
          {quarters.map((q) => <Link key={q.label} href={`?from=${q.from}&to=${q.to}`} className="text-sky-700 hover:underline">{q.label}</Link>)}
        </form>
      </Panel>
      <div className="grid gap-4 md:grid-cols-2">
        <Panel>
          <h2 className="font-semibold">GST/HST return</h2>
          <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 text-sm" data-testid="gst-hst-return">
            <dt>Line 101 — sales and other revenue</dt><dd className="text-right tabular-nums">{m(report.returns.gstHst.line101SalesCents)}</dd>
            <dt>Line 103 — GST/HST collected</dt><dd className="text-right tabular-nums">{m(report.returns.gstHst.line103TaxCollectedCents)}</dd>
            <dt>Line 107 — adjustments (credit notes)</dt><dd className="text-right tabular-nums">{m(report.returns.gstHst.line107AdjustmentsCents)}</dd>
            <dt className="font-medium">Net tax before input tax credits</dt><dd className="text-right font-medium tabular-nums">{m(report.returns.gstHst.netTaxCents)}</dd>
            <dt className="text-slate-500">Registration</dt><dd className="text-right text-slate-500">{report.returns.gstHst.registrationNumbers.join(", ") || "—"}</dd>
          </dl>
        </Panel>
        <Panel>
          <h2 className="font-semibold">QST return</h2>
          <dl className="mt-2 grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 text-sm" data-testid="qst-return">
            <dt>Taxable supplies</dt><dd className="text-right tabular-nums">{m(report.returns.qst.salesCents)}</dd>
            <dt>Line 203 — QST collected</dt><dd className="text-right tabular-nums">{m(report.returns.qst.line203TaxCollectedCents)}</dd>
            <dt>Adjustments (credit notes)</dt><dd className="text-right tabular-nums">{m(report.returns.qst.adjustmentsCents)}</dd>
            <dt className="font-medium">Net QST before input tax refunds</dt><dd className="text-right font-medium tabular-nums">{m(report.returns.qst.netTaxCents)}</dd>
            <dt className="text-slate-500">Registration</dt><dd className="text-right text-slate-500">{report.returns.qst.registrationNumbers.join(", ") || "—"}</dd>
          </dl>
        </Panel>
      </div>
      {report.otherCurrencies.map((o) => {
        const om = (cents: bigint) => formatMoney(cents, o.currency);
        return (
          <PageSection key={o.currency} title={`Documents in ${o.currency}: not included`}
            description={`${o.invoiceCount} invoice(s) and ${o.creditNoteCount} credit note(s) in ${o.currency}, amounts in ${o.currency}. ${OTHER_CURRENCY_NOTICE}`}>
            <SimpleDataTable label={`Taxes in ${o.currency}`}
              columns={[
                { key: "tax", header: "Tax" }, { key: "province", header: "Province" }, { key: "rate", header: "Rate", align: "right" },
                { key: "invoicedTaxable", header: "Taxable sales", align: "right" }, { key: "invoicedTax", header: "Tax charged", align: "right" },
                { key: "creditedTaxable", header: "Credited", align: "right" }, { key: "creditedTax", header: "Tax credited", align: "right" }, { key: "netTax", header: "Net tax", align: "right" },
              ]}
              rows={[
                ...o.rows.map((r) => ({
                  tax: r.name, province: r.province ?? "—", rate: `${r.ratePercent}%`, invoicedTaxable: om(r.invoicedTaxableCents), invoicedTax: om(r.invoicedTaxCents),
                  creditedTaxable: om(r.creditedTaxableCents), creditedTax: om(r.creditedTaxCents), netTax: om(r.netTaxCents),
                })),
                { tax: "Zero-rated sales", province: "—", rate: "0%", invoicedTaxable: om(o.sales.zeroRatedCents), invoicedTax: om(BigInt(0)), creditedTaxable: om(o.sales.creditedZeroRatedCents), creditedTax: om(BigInt(0)), netTax: om(BigInt(0)) },
                { tax: "Exempt sales", province: "—", rate: "0%", invoicedTaxable: om(o.sales.exemptCents), invoicedTax: om(BigInt(0)), creditedTaxable: om(o.sales.creditedExemptCents), creditedTax: om(BigInt(0)), netTax: om(BigInt(0)) },
                { tax: "Total", province: "", rate: "", invoicedTaxable: om(o.sales.taxableCents + o.sales.zeroRatedCents + o.sales.exemptCents), invoicedTax: om(o.totals.invoicedTaxCents),
                  creditedTaxable: om(o.sales.creditedTaxableCents + o.sales.creditedZeroRatedCents + o.sales.creditedExemptCents), creditedTax: om(o.totals.creditedTaxCents), netTax: om(o.totals.netTaxCents) },
              ]} />
          </PageSection>
        );
      })}
      <BarChart label="Net tax by tax" bars={report.rows.map((r) => ({ label: `${r.name}${r.province ? ` ${r.province}` : ""} ${r.ratePercent}%`, value: r.netTaxCents, display: m(r.netTaxCents) }))} />
      <PageSection title="By tax, province and registration">
        <SimpleDataTable label="Taxes" empty="No tax in this period."
          columns={[
            { key: "tax", header: "Tax" }, { key: "province", header: "Province" }, { key: "rate", header: "Rate", align: "right" }, { key: "registration", header: "Registration" },
            { key: "invoicedTaxable", header: "Taxable sales", align: "right" }, { key: "invoicedTax", header: "Tax charged", align: "right" },
            { key: "creditedTaxable", header: "Credited", align: "right" }, { key: "creditedTax", header: "Tax credited", align: "right" },
            { key: "netTax", header: "Net tax", align: "right" },
          ]}
          rows={report.rows.map((r) => ({
            tax: r.name, province: r.province ?? "—", rate: `${r.ratePercent}%`, registration: r.registrationNumber ?? "not registered",
            invoicedTaxable: m(r.invoicedTaxableCents), invoicedTax: m(r.invoicedTaxCents), creditedTaxable: m(r.creditedTaxableCents),
            creditedTax: m(r.creditedTaxCents), netTax: m(r.netTaxCents),
          }))} />
      </PageSection>
      <PageSection title="Sales by treatment" description="Subtotals before tax. Credit notes count in the period they were issued.">
        <SimpleDataTable label="Sales by treatment"
          columns={[{ key: "kind", header: "Sales" }, { key: "invoiced", header: "Invoiced", align: "right" }, { key: "credited", header: "Credited", align: "right" }, { key: "net", header: "Net", align: "right" }]}
          rows={[
            { kind: "Taxable", invoiced: m(report.sales.taxableCents), credited: m(report.sales.creditedTaxableCents), net: m(report.sales.taxableCents - report.sales.creditedTaxableCents) },
            { kind: "Zero-rated (outside Canada)", invoiced: m(report.sales.zeroRatedCents), credited: m(report.sales.creditedZeroRatedCents), net: m(report.sales.zeroRatedCents - report.sales.creditedZeroRatedCents) },
            { kind: "Exempt", invoiced: m(report.sales.exemptCents), credited: m(report.sales.creditedExemptCents), net: m(report.sales.exemptCents - report.sales.creditedExemptCents) },
            { kind: "Total", invoiced: m(report.sales.taxableCents + report.sales.zeroRatedCents + report.sales.exemptCents), credited: m(report.sales.creditedTaxableCents + report.sales.creditedZeroRatedCents + report.sales.creditedExemptCents), net: m(report.sales.netCents) },
          ]} />
      </PageSection>
    </div>
  );
}
