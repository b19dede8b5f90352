import type { Db } from "@/lib/db/prisma";
import type { Payment, Prisma } from "@/lib/generated/prisma/client";
import { endDunningOnPayment, startDunning } from "@/lib/dunning/dunning-process";
import { sendDunningReminder, sendPaymentReceipt } from "@/lib/mail/billing-emails";
import { recordInvoicePaymentEvent, recordPaymentSucceededEvent } from "./payment-events";
import { amountDueCents } from "./chargeability";

export interface PaymentFailure {
  code: string;
  message: string;
  providerPaymentId?: string | null;
}

type PaymentRef = { paymentId: string } | { providerPaymentId: string };

async function lockPayment(tx: Prisma.TransactionClient, ref: PaymentRef): Promise<Payment | null> {
  const rows = "paymentId" in ref
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Payment" WHERE id = ${ref.paymentId}::uuid FOR UPDATE`
    : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Payment" WHERE "providerPaymentId" = ${ref.providerPaymentId} FOR UPDATE`;
  return rows[0] ? tx.payment.findUnique({ where: { id: rows[0].id } }) : null;
}

/**
 * Records money received for a payment (from the charge's answer or Stripe's webhook, whichever comes first; the
 * second changes nothing). A payment marked failed after a lost connection is corrected when Stripe says it succeeded.
 * The invoice becomes paid once nothing is due, its dunning stops and its service hears `invoice.paid`.
 */
export async function recordPaymentSucceeded(client: Db, ref: PaymentRef, details: { providerPaymentId: string; amountCents: bigint }, now = new Date()) {
  const outcome = await client.$transaction((tx) => settlePayment(tx, ref, details, now));
  if (outcome.changed && outcome.invoicePaid && outcome.payment.invoiceId) await sendPaymentReceipt(client, outcome.payment.invoiceId, outcome.payment.id);
  return outcome;
}

/**
 * recordPaymentSucceeded's ledger change inside the caller's transaction (offline payments settle several invoices in
 * one); the caller sends the receipt e-mail once committed.
 */
export async function settlePayment(tx: Prisma.TransactionClient, ref: PaymentRef, details: { providerPaymentId: string; amountCents: bigint }, now = new Date()) {
  const payment = await lockPayment(tx, ref);
  if (!payment) return { changed: false as const, payment: null };
  if (payment.status === "succeeded" || payment.status === "refunded") return { changed: false as const, payment };
  const updated = await tx.payment.update({
    where: { id: payment.id },
    data: { status: "succeeded", providerPaymentId: details.providerPaymentId, amountCents: details.amountCents, failureCode: null, failureMessage: null },
  });
  let invoicePaid = false;
  if (payment.invoiceId) {
    await tx.$executeRaw`SELECT id FROM "Invoice" WHERE id = ${payment.invoiceId}::uuid FOR UPDATE`;
    const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: payment.invoiceId } });
    const amountPaidCents = invoice.amountPaidCents + details.amountCents;
    invoicePaid = invoice.status === "finalized" && amountDueCents({ ...invoice, amountPaidCents }) <= BigInt(0);
    await tx.invoice.update({
      where: { id: invoice.id },
      data: { amountPaidCents, ...(invoicePaid ? { status: "paid", paidAt: now, paymentStatus: "succeeded" } : {}) },
    });
    await recordPaymentSucceededEvent(tx, updated, invoice);
    if (invoicePaid) {
      await endDunningOnPayment(tx, invoice, now);
      await recordInvoicePaymentEvent(tx, invoice, "paid");
    }
  }
  await tx.auditLog.create({ data: { actorType: "system", action: "payment.succeeded", entityType: "Payment", entityId: payment.id, data: { invoiceId: payment.invoiceId, amountCents: details.amountCents.toString() } } });
  return { changed: true as const, payment: updated, invoicePaid };
}

/**
 * Records a declined or failed charge. The invoice's payment status becomes failed, its service hears
 * `invoice.payment_failed`, and the first failure starts the dunning campaign. A payment already settled is left alone.
 */
export async function recordPaymentFailed(client: Db, ref: PaymentRef, failure: PaymentFailure, now = new Date()) {
  const outcome = await client.$transaction(async (tx) => {
    const payment = await lockPayment(tx, ref);
    if (!payment) return { changed: false as const, payment: null, dunningStarted: false };
    if (payment.status !== "pending" && payment.status !== "processing") return { changed: false as const, payment, dunningStarted: false };
    const updated = await tx.payment.update({
      where: { id: payment.id },
      data: { status: "failed", failureCode: failure.code, failureMessage: failure.message, providerPaymentId: failure.providerPaymentId ?? payment.providerPaymentId },
    });
    let dunningStarted = false;
    if (payment.invoiceId) {
      await tx.$executeRaw`SELECT id FROM "Invoice" WHERE id = ${payment.invoiceId}::uuid FOR UPDATE`;
      const invoice = await tx.invoice.update({ where: { id: payment.invoiceId }, data: { paymentStatus: "failed" } });
      if (invoice.status === "finalized") {
        await recordInvoicePaymentEvent(tx, invoice, "payment_failed");
        dunningStarted = await startDunning(tx, invoice, now);
      }
    }
    await tx.auditLog.create({ data: { actorType: "system", action: "payment.failed", entityType: "Payment", entityId: payment.id, data: { invoiceId: payment.invoiceId, code: failure.code } } });
    return { changed: true as const, payment: updated, dunningStarted };
  });
  if (outcome.dunningStarted && outcome.payment?.invoiceId) await sendDunningReminder(client, outcome.payment.invoiceId, now);
  return outcome;
}
