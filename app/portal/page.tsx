import type { Metadata } from "next";
import Link from "next/link";
import { db } from "@/lib/db/prisma";
import { formatDate, formatMoney } from "@/lib/format";
import { portalBalance } from "@/lib/portal/portal-ledger";
import { requirePortalCustomer } from "@/lib/portal/portal-session";

export const metadata: Metadata = { title: "Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalHome() {
  const session = await requirePortalCustomer();
  const [customer, balance, defaultCard] = await Promise.all([
    db().customer.findUniqueOrThrow({
      where: { id: session.customerId },
      include: { subscriptions: { where: { status: { in: ["active", "pending"] }, shadow: false }, include: { plan: true, service: true }, orderBy: { createdAt: "asc" } } },
    }),
    portalBalance(db(), session.customerId),
    db().paymentMethod.findFirst({ where: { customerId: session.customerId, isDefault: true } }),
  ]);
  const services = new Map<string, typeof customer.subscriptions>();
  for (const s of customer.subscriptions) services.set(s.service.name, [...(services.get(s.service.name) ?? []), s]);
  return (
    <div className="space-y-8">
      <section>
        <h1 className="text-2xl font-semibold">{customer.displayName ?? customer.legalName}</h1>
        <div className="mt-4 grid gap-4 sm:grid-cols-2">
          <div className="rounded-lg border border-slate-200 p-4">
            <p className="text-sm text-slate-500">Amount due</p>
            <p className="mt-1 text-xl font-semibold" data-testid="portal-amount-due">
              {balance.dueByCurrency.length ? balance.dueByCurrency.map(([currency, cents]) => formatMoney(cents, currency)).join(" · ") : formatMoney(BigInt(0), customer.currency)}
            </p>
            <Link href="/portal/invoices" className="mt-2 inline-block text-sm text-sky-700 hover:underline">See invoices</Link>
          </div>
          <div className="rounded-lg border border-slate-200 p-4">
            <p className="text-sm text-slate-500">Card for automatic payments</p>
            <p className="mt-1">{defaultCard ? `${defaultCard.brand ?? "Card"} ending in ${defaultCard.last4}` : "No card saved"}</p>
            <Link href="/portal/payment-methods" className="mt-2 inline-block text-sm text-sky-700 hover:underline">Manage cards</Link>
          </div>
        </div>
      </section>
      <section>
        <h2 className="text-lg font-semibold">Subscriptions</h2>
        {customer.subscriptions.length === 0 ? <p className="mt-3 text-slate-500">No active subscriptions.</p> : null}
        {[...services.entries()].map(([serviceName, subscriptions]) => (
          <div key={serviceName} className="mt-4">
            <h3 className="text-sm font-semibold text-slate-700">{serviceName}</h3>
            <ul className="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200">
              {subscriptions.map((s) => (
                <li key={s.id} className="flex justify-between px-4 py-3 text-sm">
                  <span>{s.name ?? s.plan?.name ?? "Custom"} {s.plan ? `· ${formatMoney(s.plan.amountCents, s.plan.currency)} / ${s.plan.interval}` : ""}</span>
                  <span className="text-slate-500">
                    {s.suspendedAt ? <span className="mr-2 rounded-full bg-rose-100 px-2 py-0.5 text-xs text-rose-800">Suspended: payment overdue</span> : null}
                    {s.status === "pending" ? "Starts" : "Since"} {formatDate(s.startedAt ?? s.subscriptionAt, customer.timezone)}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </section>
    </div>
  );
}
