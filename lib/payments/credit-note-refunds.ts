import type { Db } from "@/lib/db/prisma";
import { setRefundedTotal } from "./refunds";
import { requireStripe, stripe } from "./stripe-client";

export type CreditNoteRefundOutcome =
  | { status: "refunded"; refundedCents: bigint }
  /** Nothing was paid by card on the invoice (or payments are off): the refund is paid out by other means. */
  | { status: "not_card_paid" }
  | { status: "failed"; message: string };

/**
 * Pays a refund credit note back to the card(s) that paid its invoice, newest payment first, never more than each
 * payment has left. Idempotency keys are per credit note and payment, so running it again refunds nothing twice; the
 * refunds are recorded at once (and again, idempotently, from Stripe's charge.refunded webhook).
 */
export async function refundCreditNoteToCard(client: Db, creditNoteId: string): Promise<CreditNoteRefundOutcome> {
  const note = await client.creditNote.findUniqueOrThrow({ where: { id: creditNoteId } });
  if (note.kind !== "refund" || note.status !== "issued") return { status: "not_card_paid" };
  const payments = await client.payment.findMany({
    where: { invoiceId: note.invoiceId, status: { in: ["succeeded", "refunded"] }, providerPaymentId: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (!payments.length || !stripe()) return { status: "not_card_paid" };
  const already = await client.refund.aggregate({ where: { creditNoteId }, _sum: { amountCents: true } });
  let remaining = note.totalCents - (already._sum.amountCents ?? BigInt(0));
  let refunded = BigInt(0);
  try {
    for (const payment of payments) {
      if (remaining <= BigInt(0)) break;
      const refundable = payment.amountCents - payment.refundedCents;
      if (refundable <= BigInt(0)) continue;
      const amount = refundable < remaining ? refundable : remaining;
      const refund = await requireStripe().refunds.create(
        { payment_intent: payment.providerPaymentId!, amount: Number(amount), reason: "requested_by_customer", metadata: { nexa_credit_note_id: note.id } },
        { idempotencyKey: `nexa-credit-note-${note.id}-${payment.id}` },
      );
      await client.$transaction(async (tx) => {
        const created = await tx.refund.createMany({
          data: [{ paymentId: payment.id, amountCents: amount, providerRefundId: refund.id, status: refund.status ?? "succeeded", reason: note.reason, creditNoteId: note.id }],
          skipDuplicates: true,
        });
        if (created.count === 0) {
          // Stripe's webhook recorded it first: attach it to the credit note.
          await tx.refund.update({ where: { providerRefundId: refund.id }, data: { creditNoteId: note.id } });
          return;
        }
        await tx.$executeRaw`SELECT id FROM "Payment" WHERE id = ${payment.id}::uuid FOR UPDATE`;
        const current = await tx.payment.findUniqueOrThrow({ where: { id: payment.id } });
        await setRefundedTotal(tx, current, current.refundedCents + amount);
      });
      remaining -= amount;
      refunded += amount;
    }
  } catch (error) {
    return { status: "failed", message: (error as Error).message };
  }
  return { status: "refunded", refundedCents: refunded };
}
