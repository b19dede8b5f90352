import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { formatDate, formatMoney } from "@/lib/format";
import { portalUsage } from "@/lib/portal/portal-usage";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { UsageChart } from "@/components/portal/usage-chart";
import { centsToCredits } from "@/lib/wallets/credits";
import { ongoingUsageOf } from "@/lib/wallets/ongoing-balance";

export const metadata: Metadata = { title: "Usage · Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalUsage() {
  const session = await requirePortalCustomer();
  const customer = await db().customer.findUniqueOrThrow({ where: { id: session.customerId } });
  const usage = await portalUsage(db(), session.customerId);
  const wallets = await db().wallet.findMany({ where: { customerId: session.customerId, status: "active" }, include: { service: true }, orderBy: [{ priority: "asc" }, { createdAt: "asc" }] });
  const walletUsage = await ongoingUsageOf(db(), wallets);
  const tz = customer.timezone;
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold">Usage this period</h1>
        <p className="mt-1 text-sm text-slate-600">Usage so far, priced as your next invoice will price it (before tax unless shown).</p>
      </div>
      {wallets.length ? (
        <section className="rounded-lg border border-slate-200 p-5" aria-label="Prepaid credit">
          <h2 className="text-lg font-semibold">Prepaid credit</h2>
          <p className="mt-1 text-sm text-slate-600">Spent on your invoices after tax. The remaining balance takes this period&apos;s usage (with tax) into account.</p>
          <ul className="mt-3 space-y-1 text-sm">
            {wallets.map((w) => (
              <li key={w.id} data-testid={`wallet-${w.id}`}>
                <strong>{w.name ?? w.service.name}</strong> · balance {formatMoney(w.balanceCents, w.currency)} ({centsToCredits(w.balanceCents, w.rateAmount.toString())} credits) ·
                remaining after usage so far {formatMoney(w.balanceCents - (walletUsage.get(w.id) ?? BigInt(0)), w.currency)}
                {w.pendingCents > BigInt(0) ? ` · ${formatMoney(w.pendingCents, w.currency)} awaiting payment` : ""}
                {w.expirationAt ? ` · expires ${formatDate(w.expirationAt, tz)}` : ""}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {usage.length === 0 ? <p className="text-slate-500">No active subscriptions.</p> : null}
      {usage.map((s) => (
        <section key={s.subscriptionId} className="rounded-lg border border-slate-200 p-5">
          <h2 className="text-lg font-semibold">{s.serviceName} · {s.planName}</h2>
          {s.unavailable ? <p className="mt-2 text-sm text-slate-500">{s.unavailable}</p> : (
            <>
              <p className="mt-1 text-sm text-slate-600">
                {formatDate(s.periodStart, tz)} – {formatDate(new Date(new Date(s.periodEnd).getTime() - 1), tz)} · usage charges so far{" "}
                <strong>{formatMoney(BigInt(s.amountCents), s.currency)}</strong>{BigInt(s.taxesCents) > BigInt(0) ? ` + ${formatMoney(BigInt(s.taxesCents), s.currency)} tax` : ""}
              </p>
              {s.metrics.length === 0 ? <p className="mt-3 text-sm text-slate-500">This plan has no usage charges.</p> : null}
              <div className="mt-4 grid gap-6 md:grid-cols-2">
                {s.metrics.map((m, index) => (
                  <div key={`${m.metricCode}:${index}`} data-testid={`usage-${m.metricCode}`}>
                    <h3 className="font-medium">{m.metricName}</h3>
                    <p className="text-sm text-slate-600">
                      {m.currentUnits} so far{m.includedUnits !== "0" ? ` (${m.includedUnits} included)` : ""} · {formatMoney(BigInt(m.currentAmountCents), s.currency)}
                    </p>
                    <UsageChart title={m.metricName} bars={m.bars} timezone={tz} />
                  </div>
                ))}
              </div>
            </>
          )}
        </section>
      ))}
    </div>
  );
}
