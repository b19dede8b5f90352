import { serializeInvoice } from "@/lib/api/serializers/invoice";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordWebhookEvent } from "@/lib/webhooks/outbound-events";

/**
 * Tells the invoice's service about a payment outcome, inside the transaction that records it: our name and Lago's
 * (`invoice.payment_status_updated`, `invoice.payment_failure`) so apps written for Lago keep working.
 */
export async function recordInvoicePaymentEvent(tx: Prisma.TransactionClient, invoiceId: string, outcome: "paid" | "payment_failed"): Promise<void> {
  const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: invoiceId }, include: { customer: true, taxes: true } });
  if (invoice.shadow) return;
  const link = await tx.accountLink.findFirst({ where: { serviceId: invoice.serviceId, customerId: invoice.customerId }, orderBy: { createdAt: "asc" } });
  const object = serializeInvoice(invoice, { externalCustomerId: link?.externalId }) as unknown as Record<string, unknown>;
  const types = outcome === "paid" ? (["invoice.paid", "invoice.payment_status_updated"] as const) : (["invoice.payment_failed", "invoice.payment_failure"] as const);
  for (const type of types) {
    await recordWebhookEvent(tx, { serviceId: invoice.serviceId, type, objectType: "invoice", objectId: invoice.id, orderingKey: `invoice:${invoice.id}`, object });
  }
}
