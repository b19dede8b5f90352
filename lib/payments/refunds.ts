import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import type { Payment, Prisma } from "@/lib/generated/prisma/client";

/** Sets how much of a payment has been refunded (the caller holds its row lock); refunded in full, it is refunded. */
export async function setRefundedTotal(tx: Prisma.TransactionClient, payment: Payment, refundedCents: bigint): Promise<void> {
  await tx.payment.update({
    where: { id: payment.id },
    data: { refundedCents, ...(refundedCents >= payment.amountCents && payment.status === "succeeded" ? { status: "refunded" } : {}) },
  });
}

/**
 * Records the refunds Stripe reports on a charge (from our credit notes or made in Stripe's dashboard). Each refund is
 * stored once by its Stripe id; the payment's refunded total follows the charge's, and a fully refunded payment is
 * marked refunded.
 */
export async function recordChargeRefunds(client: Db, charge: Stripe.Charge, refunds: Stripe.Refund[]): Promise<{ matched: boolean; recorded: number }> {
  const intentId = typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
  if (!intentId) return { matched: false, recorded: 0 };
  return client.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Payment" WHERE "providerPaymentId" = ${intentId} FOR UPDATE`;
    if (!rows.length) return { matched: false, recorded: 0 };
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: rows[0].id } });
    let recorded = 0;
    for (const refund of refunds) {
      if (refund.status !== "succeeded" && refund.status !== "pending") continue;
      const created = await tx.refund.createMany({
        data: [{ paymentId: payment.id, amountCents: BigInt(refund.amount), providerRefundId: refund.id, status: refund.status ?? "succeeded", reason: refund.reason ?? null }],
        skipDuplicates: true,
      });
      recorded += created.count;
    }
    const refundedCents = BigInt(charge.amount_refunded);
    if (refundedCents !== payment.refundedCents) {
      await setRefundedTotal(tx, payment, refundedCents);
      await tx.auditLog.create({ data: { actorType: "system", action: "payment.refunded", entityType: "Payment", entityId: payment.id, data: { refundedCents: refundedCents.toString() } } });
    }
    return { matched: true, recorded };
  });
}
