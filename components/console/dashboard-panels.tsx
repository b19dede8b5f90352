import Link from "next/link";
import type { Dashboard } from "@/lib/reports/dashboard";
import { formatDateTime, formatMoney } from "@/lib/format";
import { BarChart } from "./bar-chart";

function Tile({ label, value, detail, href }: { label: string; value: string; detail?: string; href: string }) {
  return (
    <Link href={href} className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-slate-400" aria-label={label}>
      <div className="text-xs uppercase tracking-wide text-slate-500">{label}</div>
      <div className="mt-1 text-xl font-semibold tabular-nums">{value}</div>
      {detail ? <div className="mt-1 text-sm text-slate-600">{detail}</div> : null}
    </Link>
  );
}

/** The overview's headline figures, each linking to the page that details it. */
export function DashboardPanels({ data }: { data: Dashboard }) {
  const m = (cents: bigint) => formatMoney(cents, data.currency);
  const run = data.lastBillingRun;
  const totalMrr = data.services.reduce((s, x) => s + x.mrrCents, BigInt(0));
  const totalRevenue = data.services.reduce((s, x) => s + x.revenueCents, BigInt(0));
  return (
    <section aria-label="Dashboard" className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Tile label="MRR" value={m(totalMrr)} detail="Recurring plan fees of live subscriptions, per month" href="/console/plans" />
        <Tile label={`Revenue ${data.month.from.slice(0, 7)}`} value={m(totalRevenue)} detail="Invoiced less credited, before tax" href={`/console/reports/sales-tax?from=${data.month.from}&to=${data.month.to}`} />
        <Tile label="Outstanding receivables" value={m(data.receivables.outstandingCents)} detail={`${m(data.receivables.overdueCents)} overdue on ${data.receivables.overdueInvoices} invoice(s)`} href="/console/reports/ar-aging" />
        <Tile label="Failed payments in dunning" value={String(data.dunning.active)} detail={`${m(data.dunning.amountDueCents)} due`} href="/console/collections?status=active" />
        <Tile label="Last billing run" value={run ? run.status : "none yet"}
          detail={run ? `${formatDateTime(run.finishedAt ?? run.createdAt)} · ${run.invoicesCreated} invoices · ${run.failures} error(s)` : "The period close has not run."} href="/console/invoices" />
        <Tile label="Dual-run health" value={data.dualRun.period ? `${data.dualRun.match} match` : "no reconciliation"}
          detail={data.dualRun.period ? `${data.dualRun.period}: ${data.dualRun.delta} delta, ${data.dualRun.error} error` : undefined} href="/console/reconciliation" />
      </div>
      {data.otherCurrencies.length > 0 ? (
        <div role="note" aria-label="Other currencies" className="rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-slate-700">
          <p>Amounts in {data.currency}. Not included, because the product holds no exchange rates:</p>
          <ul className="mt-1 list-disc pl-5">
            {data.otherCurrencies.map((o) => (
              <li key={o.currency}>
                {o.currency}: MRR {formatMoney(o.mrrCents, o.currency)}, revenue this month {formatMoney(o.revenueCents, o.currency)},{" "}
                {formatMoney(o.outstandingCents, o.currency)} outstanding on {o.openInvoices} open invoice(s) ({formatMoney(o.overdueCents, o.currency)} overdue on {o.overdueInvoices}),{" "}
                {o.dunningActive} failed payment(s) in dunning ({formatMoney(o.dunningAmountCents, o.currency)} due)
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <BarChart label="MRR by service" bars={data.services.filter((s) => s.mrrCents !== BigInt(0)).map((s) => ({ label: s.name, value: s.mrrCents, display: m(s.mrrCents), href: `/console/services/${encodeURIComponent(s.code)}` }))} />
        <BarChart label={`Revenue this month by service`} bars={data.services.filter((s) => s.revenueCents !== BigInt(0)).map((s) => ({ label: s.name, value: s.revenueCents, display: m(s.revenueCents), href: `/console/services/${encodeURIComponent(s.code)}` }))} />
      </div>
    </section>
  );
}
