import type { Metadata } from "next";
import { currentCustomer } from "@/lib/auth/customer-session";
import { db } from "@/lib/db/prisma";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Customer portal" };
export const dynamic = "force-dynamic";

export default async function PortalHome() {
  const session = await currentCustomer();
  if (!session) {
    return (
      <section className="max-w-xl">
        <h1 className="text-2xl font-semibold">Your billing</h1>
        <p className="mt-3 text-slate-600">
          Open the billing link from your Nexa service&apos;s account settings to see your subscriptions and billing details.
        </p>
      </section>
    );
  }
  const customer = await db().customer.findUniqueOrThrow({
    where: { id: session.customerId },
    include: { subscriptions: { where: { status: { in: ["active", "pending"] } }, include: { plan: true, service: true }, orderBy: { createdAt: "asc" } } },
  });
  return (
    <div className="space-y-8">
      <section>
        <h1 className="text-2xl font-semibold">{customer.displayName ?? customer.legalName}</h1>
        <dl className="mt-4 grid max-w-xl grid-cols-3 gap-2 text-sm">
          <dt className="text-slate-500">Legal name</dt><dd className="col-span-2">{customer.legalName}</dd>
          <dt className="text-slate-500">E-mail</dt><dd className="col-span-2">{customer.email ?? "—"}</dd>
          <dt className="text-slate-500">Address</dt>
          <dd className="col-span-2">{[customer.addressLine1, customer.city, customer.province, customer.postalCode, customer.country].filter(Boolean).join(", ") || "—"}</dd>
          <dt className="text-slate-500">Currency</dt><dd className="col-span-2">{customer.currency}</dd>
        </dl>
      </section>
      <section>
        <h2 className="text-lg font-semibold">Subscriptions</h2>
        <ul className="mt-3 divide-y divide-slate-100 rounded-lg border border-slate-200">
          {customer.subscriptions.length === 0 ? <li className="px-4 py-3 text-slate-500">No active subscriptions.</li> : null}
          {customer.subscriptions.map((s) => (
            <li key={s.id} className="flex justify-between px-4 py-3 text-sm">
              <span>{s.service.name} · {s.plan?.name ?? "Custom"}</span>
              <span className="text-slate-500">{s.status === "pending" ? "Starts" : "Since"} {formatDate(s.startedAt ?? s.subscriptionAt, customer.timezone)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
