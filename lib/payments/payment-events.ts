import type { Prisma } from "@/lib/generated/prisma/client";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";

/**
 * Tells the invoice's service about a payment outcome, inside the transaction that records it: our name and Lago's
 * (`invoice.payment_status_updated`, `invoice.payment_failure`) so apps written for Lago keep working.
 */
export async function recordInvoicePaymentEvent(tx: Prisma.TransactionClient, invoice: { id: string; serviceId: string }, outcome: "paid" | "payment_failed"): Promise<void> {
  await recordInvoiceEvents(tx, [invoice], () =>
    outcome === "paid" ? ["invoice.paid", "invoice.payment_status_updated"] : ["invoice.payment_failed", "invoice.payment_failure"]);
}
