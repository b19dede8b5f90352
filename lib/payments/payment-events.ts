import type { Payment, Prisma } from "@/lib/generated/prisma/client";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { recordWebhookEvent } from "@/lib/webhooks/outbound-events";

/**
 * Tells the invoice's service about a payment outcome, inside the transaction that records it: our name and Lago's
 * (`invoice.payment_status_updated`, `invoice.payment_failure`) so apps written for Lago keep working.
 */
export async function recordInvoicePaymentEvent(tx: Prisma.TransactionClient, invoice: { id: string; serviceId: string }, outcome: "paid" | "payment_failed"): Promise<void> {
  await recordInvoiceEvents(tx, [invoice], () =>
    outcome === "paid" ? ["invoice.paid", "invoice.payment_status_updated"] : ["invoice.payment_failed", "invoice.payment_failure"]);
}

/** Lago's `payment.succeeded`, with Lago's payment object, to the service of the invoice it paid. */
export async function recordPaymentSucceededEvent(tx: Prisma.TransactionClient, payment: Payment, invoice: { id: string; serviceId: string; shadow: boolean }): Promise<void> {
  if (invoice.shadow) return;
  await recordWebhookEvent(tx, {
    serviceId: invoice.serviceId,
    type: "payment.succeeded",
    objectType: "payment",
    objectId: payment.id,
    object: {
      lago_id: payment.id,
      invoice_ids: [invoice.id],
      amount_cents: payment.amountCents,
      amount_currency: payment.currency,
      payment_status: "succeeded",
      // Lago's types: "provider" for the card processor, "manual" for money recorded by staff (cheque, EFT, wire, cash).
      type: payment.provider === "stripe" ? "provider" : "manual",
      reference: null,
      external_payment_id: payment.providerPaymentId,
      created_at: payment.createdAt.toISOString(),
    },
  });
}
