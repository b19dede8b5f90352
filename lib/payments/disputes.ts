import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import type { Dispute } from "@/lib/generated/prisma/client";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { afterPaidAmountChange } from "@/lib/invoicing/invoice-status";
import { recordInvoicePaymentEvent } from "./payment-events";
import { alertStaff } from "./staff-alerts";
import { requireStripe } from "./stripe-client";

const CLOSED = new Set(["won", "lost", "prevented"]);

/**
 * Records a chargeback from Stripe's charge.dispute.* events (any order, any number of times). When a dispute opens the
 * card network has already taken the money back, so its amount is owed again: the invoice's paid amount drops by it
 * (a paid invoice is open again) and staff are told. It is never charged again automatically — the customer disputed
 * it. Won, the amount counts as paid again; lost, the invoice's service hears Lago's `invoice.payment_dispute_lost`.
 */
export async function recordDispute(client: Db, dispute: Stripe.Dispute, now = new Date()): Promise<{ matched: boolean }> {
  const intentId = typeof dispute.payment_intent === "string" ? dispute.payment_intent : dispute.payment_intent?.id;
  if (!intentId) return { matched: false };
  // The dispute may be handled before the charge's own answer or webhook recorded the intent's id: the intent's
  // metadata names the attempt.
  let paymentId = (await client.payment.findUnique({ where: { providerPaymentId: intentId }, select: { id: true } }))?.id;
  paymentId ??= (await requireStripe().paymentIntents.retrieve(intentId)).metadata?.nexa_payment_id;
  if (!paymentId || !/^[0-9a-f-]{36}$/i.test(paymentId)) return { matched: false };
  const outcome = await client.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Payment" WHERE id = ${paymentId}::uuid FOR UPDATE`;
    if (!rows.length) return null;
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: rows[0].id } });
    const existing = await tx.dispute.findUnique({ where: { providerDisputeId: dispute.id } });
    // A closed dispute stays closed whatever older snapshot arrives later.
    const status = existing && CLOSED.has(existing.status) ? existing.status : dispute.status;
    const record: Dispute = existing
      ? await tx.dispute.update({ where: { id: existing.id }, data: { status, closedAt: CLOSED.has(status) ? (existing.closedAt ?? now) : null } })
      : await tx.dispute.create({
          data: { paymentId: payment.id, providerDisputeId: dispute.id, amountCents: BigInt(dispute.amount), currency: dispute.currency.toUpperCase(), reason: dispute.reason, status, closedAt: CLOSED.has(status) ? now : null },
        });
    const won = status === "won" || status === "prevented";
    // An inquiry (warning_*) takes no money back; a chargeback does.
    const inquiry = status.startsWith("warning_");
    const lostNow = status === "lost" && existing?.status !== "lost";
    if (payment.invoiceId && !inquiry && record.amountReopened === won) {
      // Open or lost: the amount is owed again. Won: it is paid again.
      await tx.$executeRaw`SELECT id FROM "Invoice" WHERE id = ${payment.invoiceId}::uuid FOR UPDATE`;
      const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: payment.invoiceId } });
      const amountPaidCents = won ? invoice.amountPaidCents + record.amountCents : invoice.amountPaidCents - record.amountCents;
      const change = afterPaidAmountChange(invoice, amountPaidCents, now);
      const paidNow = won && change.paidNow;
      await tx.invoice.update({ where: { id: invoice.id }, data: change.data });
      await tx.dispute.update({ where: { id: record.id }, data: { amountReopened: !won } });
      if (paidNow) await recordInvoicePaymentEvent(tx, invoice, "paid");
    }
    if (lostNow && payment.invoiceId) {
      const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: payment.invoiceId } });
      await recordInvoiceEvents(tx, [invoice], () => ["invoice.payment_dispute_lost"]);
    }
    await tx.auditLog.create({ data: { actorType: "system", action: `payment.dispute.${status}`, entityType: "Payment", entityId: payment.id, data: { disputeId: dispute.id, amountCents: String(dispute.amount) } } });
    return { payment, created: !existing, closedNow: CLOSED.has(status) && !(existing && CLOSED.has(existing.status)), status };
  });
  if (!outcome) return { matched: false };
  if (outcome.created || outcome.closedNow) {
    const money = `${(dispute.amount / 100).toFixed(2)} ${dispute.currency.toUpperCase()}`;
    await alertStaff(client, {
      kind: outcome.created && !outcome.closedNow ? "dispute_opened" : "dispute_closed",
      subject: outcome.created && !outcome.closedNow ? `Chargeback opened: ${money} on invoice payment ${outcome.payment.id}` : `Chargeback ${outcome.status}: ${money}`,
      text: `Stripe dispute ${dispute.id} (${dispute.reason}) on payment ${outcome.payment.id} of invoice ${outcome.payment.invoiceId ?? "—"} is ${outcome.status}. ${outcome.status === "won" ? "The amount counts as paid again." : "The amount is owed again on the invoice and is not charged automatically. Answer the dispute in Stripe before its deadline."}`,
      entityType: "Payment",
      entityId: outcome.payment.id,
      data: { disputeId: dispute.id, status: outcome.status },
    });
  }
  return { matched: true };
}
