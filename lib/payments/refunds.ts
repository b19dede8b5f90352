import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import type { Payment, Prisma } from "@/lib/generated/prisma/client";

/**
 * A refund's life at Stripe: pending (or requires_action) → succeeded, or failed / canceled; a succeeded card refund
 * can still fail later (the card was closed). Snapshots arrive out of order, so a refund only ever moves forward.
 */
const REFUND_STAGE: Record<string, number> = { pending: 0, requires_action: 0, succeeded: 1, failed: 2, canceled: 2 };
/** Refunds that count against the payment: money on its way back to the customer or already there. */
export const COUNTED_REFUND_STATUSES = ["pending", "requires_action", "succeeded"];

/**
 * Sets how much of a payment has been refunded from its recorded refunds that still count (the caller holds its row
 * lock). Refunded in full it is `refunded`; a refund that failed afterwards makes it `succeeded` again.
 */
export async function refreshRefundedTotal(tx: Prisma.TransactionClient, payment: Payment): Promise<bigint> {
  const sum = await tx.refund.aggregate({ where: { paymentId: payment.id, status: { in: COUNTED_REFUND_STATUSES } }, _sum: { amountCents: true } });
  const refundedCents = sum._sum.amountCents ?? BigInt(0);
  const status = payment.status === "succeeded" && refundedCents >= payment.amountCents ? "refunded" : payment.status === "refunded" && refundedCents < payment.amountCents ? "succeeded" : payment.status;
  if (refundedCents !== payment.refundedCents || status !== payment.status) {
    await tx.payment.update({ where: { id: payment.id }, data: { refundedCents, status } });
  }
  return refundedCents;
}

export interface RecordedRefunds {
  matched: boolean;
  recorded: number;
  /** Refunds that moved to failed or canceled with this call (staff are told). */
  failed: { id: string; amountCents: bigint; paymentId: string; reason: string | null }[];
}

/**
 * Records the refunds Stripe reports on a payment intent (made from our credit notes or in Stripe's dashboard; from
 * charge.refunded, refund.* events or the API's own answer, in any order and any number of times). Each refund is
 * stored once by its Stripe id and only moves forward in its life; the payment's refunded total is always the sum of
 * the refunds that count — never a charge snapshot's `amount_refunded`, which may be older than what we hold.
 */
export async function recordRefunds(client: Db, intentId: string, refunds: Stripe.Refund[], extra: { creditNoteId?: string; reason?: string | null } = {}): Promise<RecordedRefunds> {
  return client.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Payment" WHERE "providerPaymentId" = ${intentId} FOR UPDATE`;
    if (!rows.length) return { matched: false, recorded: 0, failed: [] };
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: rows[0].id } });
    let recorded = 0;
    const failed: RecordedRefunds["failed"] = [];
    for (const refund of refunds) {
      const status = refund.status ?? "pending";
      const existing = await tx.refund.findUnique({ where: { providerRefundId: refund.id } });
      if (!existing) {
        await tx.refund.create({
          data: { paymentId: payment.id, amountCents: BigInt(refund.amount), providerRefundId: refund.id, status, reason: extra.reason ?? refund.reason ?? null, creditNoteId: extra.creditNoteId ?? null },
        });
        recorded += 1;
        if (status === "failed" || status === "canceled") failed.push({ id: refund.id, amountCents: BigInt(refund.amount), paymentId: payment.id, reason: refund.failure_reason ?? null });
        continue;
      }
      const forward = (REFUND_STAGE[status] ?? 0) > (REFUND_STAGE[existing.status] ?? 0);
      if (forward || (extra.creditNoteId && !existing.creditNoteId)) {
        await tx.refund.update({ where: { id: existing.id }, data: { ...(forward ? { status } : {}), ...(extra.creditNoteId && !existing.creditNoteId ? { creditNoteId: extra.creditNoteId } : {}) } });
      }
      if (forward && (status === "failed" || status === "canceled")) failed.push({ id: refund.id, amountCents: existing.amountCents, paymentId: payment.id, reason: refund.failure_reason ?? null });
    }
    const before = payment.refundedCents;
    const after = await refreshRefundedTotal(tx, payment);
    if (after !== before) {
      await tx.auditLog.create({ data: { actorType: "system", action: "payment.refunded", entityType: "Payment", entityId: payment.id, data: { refundedCents: after.toString() } } });
    }
    return { matched: true, recorded, failed };
  });
}
