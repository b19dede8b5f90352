import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { journal } from "@/lib/reports/journal";
import { BOOKS_CURRENCY, periodParams } from "@/lib/reports/report-params";
import type { SearchParams } from "@/lib/console/table-query";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Journal export" };
export const dynamic = "force-dynamic";

export default async function JournalPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const { from, to } = periodParams(params);
  const grouping = params.grouping === "month" ? "month" : "day";
  let j;
  try {
    j = await journal(db(), from, to, grouping);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4"><PageHeader title="Journal" /><p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  const m = (cents: bigint) => (cents === BigInt(0) ? "" : formatMoney(cents, "CAD"));
  const base = `from=${from}&to=${to}&grouping=${grouping}`;
  return (
    <div className="space-y-8">
      <PageHeader title="Journal" back={{ href: "/console/reports", label: "Reports" }}
        description={`Double-entry journal from ${from} to ${to}, one entry per kind of event and ${grouping}. Revenue ${formatMoney(j.revenueCents, "CAD")}, tax ${formatMoney(j.taxCents, "CAD")} (the sales tax report's figures). Account codes are set in Settings.`}>
        <div className="flex gap-2">
          <a href={`/console/reports/journal/export?${base}&format=quickbooks`} className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">QuickBooks CSV</a>
          <a href={`/console/reports/journal/export?${base}&format=xero`} className="rounded-md bg-slate-900 px-4 py-1.5 text-sm font-medium text-white">Xero CSV</a>
        </div>
      </PageHeader>
      {j.unposted.length > 0 ? (
        <p role="note" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-slate-700">
          Only {BOOKS_CURRENCY} is posted: the product holds no exchange rates. Not posted, to book by hand at the exchange rate of each event&apos;s day:{" "}
          {j.unposted.map((u) => `${u.currency} — ${([
            [u.invoices, "invoice(s)"], [u.creditNotes, "credit note(s)"], [u.cardPayments, "card payment(s)"], [u.cardRefunds, "card refund(s)"],
            [u.offlinePayments, "offline payment(s)"], [u.offlinePaymentReversals, "offline payment reversal(s)"], [u.walletMoves, "prepaid credit move(s)"],
          ] as const).filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(", ")}`).join("; ")}.
        </p>
      ) : null}
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          <label>From <input type="date" name="from" defaultValue={from} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label>To <input type="date" name="to" defaultValue={to} className="ml-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label>Per <select name="grouping" defaultValue={grouping} className="ml-1 rounded border border-slate-300 px-2 py-1"><option value="day">day</option><option value="month">month</option></select></label>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Show</button>
        </form>
      </Panel>
      <PageSection title={`${j.entries.length} entries`}>
        <SimpleDataTable label="Journal lines" empty="Nothing happened in this period."
          columns={[{ key: "entry", header: "Entry" }, { key: "date", header: "Date" }, { key: "account", header: "Account" }, { key: "debit", header: "Debit", align: "right" }, { key: "credit", header: "Credit", align: "right" }, { key: "memo", header: "Memo" }]}
          rows={j.entries.flatMap((e) => e.lines.map((l) => ({ entry: String(e.number), date: e.date, account: l.account, debit: m(l.debitCents), credit: m(l.creditCents), memo: e.memo })))} />
      </PageSection>
    </div>
  );
}
