import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";

export const metadata: Metadata = { title: "Reports" };

const REPORTS = [
  { href: "/console/reports/sales-tax", title: "Sales tax", text: "Taxable sales and tax per tax, province and registration for a filing period; what the GST/HST and QST returns need." },
  { href: "/console/reports/ar-aging", title: "Accounts receivable aging", text: "What customers owe, by days past due (current, 1–30, 31–60, 61–90, 90+), by customer and service, down to the invoices." },
  { href: "/console/reports/journal", title: "Journal export", text: "Double-entry journal (receivables, revenue per service, each tax payable, Stripe clearing, cash) per day or month, as QuickBooks Online or Xero CSV." },
  { href: "/console/reports/revenue", title: "Revenue and MRR", text: "Invoiced, credited and collected by service, plan and month; MRR movements (new, expansion, contraction, churn)." },
  { href: "/console/reports/margin", title: "Margin", text: "Net revenue minus provider costs, and margin %, per service, customer and month." },
  { href: "/console/reports/exports", title: "Exports for the accountant", text: "Invoices, credit notes, payments and refunds of a period as CSV." },
  { href: "/console/reports/audit-log", title: "Audit log", text: "Who changed what and when, filterable by actor, entity, action and date; exportable." },
  { href: "/console/payments", title: "Payments received", text: "Cheques, EFTs, wires and cash recorded by finance." },
];

export default function ReportsPage() {
  return (
    <div className="space-y-6">
      <PageHeader title="Reports" description="Figures for closing a month and filing sales tax, each with a CSV export." />
      <ul className="grid gap-4 sm:grid-cols-2">
        {REPORTS.map((r) => (
          <li key={r.href} className="rounded-lg border border-slate-200 bg-white p-4">
            <Link href={r.href} className="font-semibold text-sky-700 hover:underline">{r.title}</Link>
            <p className="mt-1 text-sm text-slate-600">{r.text}</p>
          </li>
        ))}
      </ul>
    </div>
  );
}
