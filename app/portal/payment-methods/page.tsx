import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { listPaymentMethods } from "@/lib/payments/payment-methods";
import { stripe } from "@/lib/payments/stripe-client";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { addCard, removeCard, setDefaultCard } from "@/app/portal/actions";
import { PortalActionButton } from "@/components/portal/portal-action-button";

export const metadata: Metadata = { title: "Payment methods · Customer portal" };
export const dynamic = "force-dynamic";

const OUTCOMES: Record<string, { text: string; ok: boolean }> = {
  card_saved: { text: "Your card is saved.", ok: true },
  card_not_saved: { text: "The card was not saved. Try again, or use another card.", ok: false },
};

export default async function PortalPaymentMethods({ searchParams }: { searchParams: Promise<{ outcome?: string }> }) {
  const session = await requirePortalCustomer();
  const outcome = OUTCOMES[(await searchParams).outcome ?? ""];
  const methods = await listPaymentMethods(db(), session.customerId);
  const configured = stripe() !== null;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Payment methods</h1>
        <p className="mt-1 text-sm text-slate-600">Invoices are charged to your default card when they are issued. Card details are kept by Stripe, never by us.</p>
      </div>
      {outcome ? <p role={outcome.ok ? "status" : "alert"} className={`rounded-md px-4 py-2 text-sm ${outcome.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-700"}`}>{outcome.text}</p> : null}
      <table aria-label="Saved cards" className="min-w-full rounded-lg border border-slate-200 text-sm">
        <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
          <tr><th className="px-4 py-2">Card</th><th className="px-4 py-2">Expires</th><th className="px-4 py-2" /><th className="px-4 py-2 text-right">Actions</th></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {methods.length === 0 ? <tr><td colSpan={4} className="px-4 py-3 text-slate-500">No card saved yet.</td></tr> : null}
          {methods.map((m) => (
            <tr key={m.id} data-testid="saved-card">
              <td className="px-4 py-2 capitalize">{m.brand ?? "Card"} ending in {m.last4}</td>
              <td className="px-4 py-2">{m.expMonth && m.expYear ? `${String(m.expMonth).padStart(2, "0")}/${m.expYear}` : "—"}</td>
              <td className="px-4 py-2">{m.isDefault ? <span data-testid="default-card-badge" className="rounded-full bg-sky-100 px-2 py-0.5 text-xs text-sky-800">Default</span> : null}</td>
              <td className="space-x-2 px-4 py-2 text-right">
                {m.isDefault ? null : <PortalActionButton action={setDefaultCard.bind(null, m.id)} label="Make default" pendingLabel="Saving…" variant="secondary" />}
                <PortalActionButton action={removeCard.bind(null, m.id)} label="Remove" pendingLabel="Removing…" variant="secondary" confirm={`Remove the card ending in ${m.last4}?`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {configured ? (
        <PortalActionButton action={addCard} label="Add a card" pendingLabel="Opening Stripe…" />
      ) : (
        <p className="text-sm text-slate-500">Card payments are not available yet.</p>
      )}
    </div>
  );
}
