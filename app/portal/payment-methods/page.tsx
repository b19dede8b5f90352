import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { listPaymentMethods } from "@/lib/payments/payment-methods";
import { stripe } from "@/lib/payments/stripe-client";
import { requirePortalCustomer } from "@/lib/portal/portal-session";
import { addCard, removeCard, setDefaultCard } from "@/app/portal/actions";
import { PortalActionButton } from "@/components/portal/portal-action-button";
import { SavedCardsTable } from "@/components/portal/saved-cards-table";

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
      <SavedCardsTable
        rows={methods.map((m) => ({
          id: m.id,
          label: `${m.brand ?? "Card"} ending in ${m.last4}`,
          last4: m.last4,
          expires: m.expMonth && m.expYear ? `${String(m.expMonth).padStart(2, "0")}/${m.expYear}` : "—",
          isDefault: m.isDefault,
          makeDefault: setDefaultCard.bind(null, m.id),
          remove: removeCard.bind(null, m.id),
        }))}
      />
      {configured ? (
        <PortalActionButton action={addCard} label="Add a card" pendingLabel="Opening Stripe…" />
      ) : (
        <p className="text-sm text-slate-500">Card payments are not available yet.</p>
      )}
    </div>
  );
}
