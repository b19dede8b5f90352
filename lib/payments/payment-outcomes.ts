import type { Db } from "@/lib/db/prisma";
import type { Payment, Prisma } from "@/lib/generated/prisma/client";
import { endDunningOnPayment, startDunning } from "@/lib/dunning/dunning-process";
import { sendDunningReminder, sendNewCardNeeded, sendPaymentActionRequired, sendPaymentReceipt } from "@/lib/mail/billing-emails";
import { isHardDecline } from "./stripe-errors";
import { recordInvoicePaymentEvent, recordPaymentSucceededEvent } from "./payment-events";
import { afterPaidAmountChange } from "@/lib/invoicing/invoice-status";
import { onInvoicePaid } from "@/lib/wallets/wallets";

export interface PaymentFailure {
  code: string;
  message: string;
  providerPaymentId?: string | null;
  /** Stripe's advice_code with a decline (do_not_try_again stops dunning's retries of that card). */
  adviceCode?: string | null;
}

export type PaymentRef = { paymentId: string } | { providerPaymentId: string };

export async function lockPayment(tx: Prisma.TransactionClient, ref: PaymentRef): Promise<Payment | null> {
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
    const change = afterPaidAmountChange(invoice, invoice.amountPaidCents + details.amountCents, now);
    invoicePaid = change.paidNow;
    await tx.invoice.update({ where: { id: invoice.id }, data: change.data });
    await recordPaymentSucceededEvent(tx, updated, invoice);
    if (invoicePaid) {
      await endDunningOnPayment(tx, invoice, now);
      await recordInvoicePaymentEvent(tx, invoice, "paid");
      // A paid credit invoice makes its prepaid credits available.
      await onInvoicePaid(tx, invoice, now);
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
      data: { status: "failed", failureCode: failure.code, failureMessage: failure.message, adviceCode: failure.adviceCode ?? null, providerPaymentId: failure.providerPaymentId ?? payment.providerPaymentId },
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
  if (outcome.dunningStarted && outcome.payment?.invoiceId) {
    if (isHardDecline(failure.code, failure.adviceCode)) await sendNewCardNeeded(client, outcome.payment.invoiceId, now);
    else await sendDunningReminder(client, outcome.payment.invoiceId, now);
  }
  return outcome;
}

/**
 * Records an attempt that ended without charging and without a decline: the customer abandoned or failed 3D Secure,
 * Stripe canceled the intent, the amount is outside what a card can be charged, or Stripe refused our configuration.
 * Not a card failure: the invoice's payment status is unchanged, no dunning starts, the app hears nothing.
 */
export async function recordPaymentCanceled(client: Db, ref: PaymentRef, failure: PaymentFailure) {
  return client.$transaction(async (tx) => {
    const payment = await lockPayment(tx, ref);
    if (!payment || (payment.status !== "pending" && payment.status !== "processing")) return { changed: false as const, payment };
    const updated = await tx.payment.update({
      where: { id: payment.id },
      data: { status: "canceled", failureCode: failure.code, failureMessage: failure.message, providerPaymentId: failure.providerPaymentId ?? payment.providerPaymentId },
    });
    await tx.auditLog.create({ data: { actorType: "system", action: "payment.canceled", entityType: "Payment", entityId: payment.id, data: { invoiceId: payment.invoiceId, code: failure.code } } });
    return { changed: true as const, payment: updated };
  });
}

/**
 * Records an off-session charge the card's bank wants the customer to authenticate (Stripe's authentication_required).
 * It is not a decline: the customer is e-mailed a link to pay on-session, the invoice's payment status is unchanged,
 * and its dunning (if any) is paused — never retried off-session, never suspended for it — until they pay.
 */
export async function recordAuthenticationRequired(client: Db, ref: PaymentRef, details: { message: string; providerPaymentId?: string | null }, now = new Date()) {
  const outcome = await client.$transaction(async (tx) => {
    const payment = await lockPayment(tx, ref);
    if (!payment || (payment.status !== "pending" && payment.status !== "processing")) return { changed: false as const, payment };
    const updated = await tx.payment.update({
      where: { id: payment.id },
      data: { status: "failed", failureCode: "authentication_required", failureMessage: details.message, providerPaymentId: details.providerPaymentId ?? payment.providerPaymentId },
    });
    if (payment.invoiceId) {
      await tx.dunningProcess.updateMany({
        where: { invoiceId: payment.invoiceId, status: "active" },
        data: { nextActionAt: null, lastError: "authentication_required: waiting for the customer to pay on-session" },
      });
    }
    await tx.auditLog.create({ data: { actorType: "system", action: "payment.authentication_required", entityType: "Payment", entityId: payment.id, data: { invoiceId: payment.invoiceId } } });
    return { changed: true as const, payment: updated };
  });
  if (outcome.changed && outcome.payment.invoiceId) await sendPaymentActionRequired(client, outcome.payment.invoiceId, now);
  return outcome;
}
