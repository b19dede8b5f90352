import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { periodParams } from "@/lib/reports/report-params";
import type { SearchParams } from "@/lib/console/table-query";
import { PageHeader, Panel } from "@/components/console/page-header";

export const metadata: Metadata = { title: "Exports for the accountant" };
export const dynamic = "force-dynamic";

const EXPORTS = [
  { kind: "invoices", title: "Invoices", text: "Every invoice issued in the period (voided ones marked), with subtotal, taxes, total, credits, paid and due, and each tax." },
  { kind: "credit-notes", title: "Credit notes", text: "Credit notes issued in the period (the customer's day), with the invoice they credit." },
  { kind: "payments", title: "Payments", text: "Money in: card payments on their day in Toronto, cheques, EFTs, wires and cash on the day received (reversals marked)." },
  { kind: "refunds", title: "Refunds", text: "Card refunds on their day in Toronto, with the credit note they pay out." },
];

export default async function ExportsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const staff = await requireStaffPage("/console/reports/exports");
  const { from, to } = periodParams(await searchParams);
  const allowed = staff.role !== "viewer";
  return (
    <div className="space-y-6">
      <PageHeader title="Exports for the accountant" back={{ href: "/console/reports", label: "Reports" }}
        description="CSV files of a period for the books; amounts are exact decimals in the document's currency. Shadow (dual-run) documents are not included." />
      {allowed ? null : <p role="alert" className="text-red-700">Your role only lets you view: exports for the accountant need finance. Ask an administrator.</p>}
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          <label>From <input type="date" name="from" defaultValue={from} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label>To <input type="date" name="to" defaultValue={to} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Set period</button>
        </form>
      </Panel>
      <ul className="grid gap-4 sm:grid-cols-2">
        {EXPORTS.map((e) => (
          <li key={e.kind} className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="font-semibold">{e.title}</h2>
            <p className="mt-1 text-sm text-slate-600">{e.text}</p>
            {allowed ? <a href={`/console/reports/exports/${e.kind}?from=${from}&to=${to}`} className="mt-3 inline-block rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">Download {e.title.toLowerCase()} {from} – {to}</a> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
