import type { Db } from "@/lib/db/prisma";
import { serializeCustomer } from "@/lib/api/serializers/customer";
import { invoiceCouponsInclude, serializeCreditNote, serializeInvoice } from "@/lib/api/serializers/invoice";
import { serializeSubscription } from "@/lib/api/serializers/subscription";
import type { Prisma } from "@/lib/generated/prisma/client";
import { withRefundStatus } from "@/lib/payments/credit-note-refunds";
import { subscriptionInclude } from "@/lib/subscriptions/subscriptions";
import { recordWebhookEvents, servicesListeningTo, type OutboundEvent, type WebhookEventType } from "./outbound-events";

/**
 * The lifecycle points' webhook events, serialized as the API shows each object to the service. Objects are loaded
 * and serialized only for services with an endpoint listening, so billing without endpoints pays one small query.
 * Every event about a customer (its invoices, subscriptions, credit notes and the customer itself) is ordered per
 * customer by recordWebhookEvents, so an app sees them in the order they happened.
 */

type Client = Prisma.TransactionClient | Db;

/** The external id each (service, customer) pair is known by. */
async function externalIds(tx: Client, pairs: { serviceId: string; customerId: string }[]): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const links = await tx.accountLink.findMany({
    where: { OR: pairs.map((p) => ({ serviceId: p.serviceId, customerId: p.customerId })) },
    orderBy: [{ deletedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
  });
  const map = new Map<string, string>();
  for (const link of links) {
    const key = `${link.serviceId}:${link.customerId}`;
    if (!map.has(key)) map.set(key, link.externalId);
  }
  return map;
}

/**
 * What an invoice announces when it is written or finalised. As in Lago, `invoice.created` means issued: a draft (grace
 * period) announces `invoice.drafted`, and `invoice.created` with `invoice.finalized` follow when it is finalised; one
 * settled at once (zero, or paid by credit) is also `invoice.paid`.
 */
export function invoiceIssueTypes(status: "draft" | "finalized" | "paid" | "voided", paymentStatus: "pending" | "succeeded" | "failed" = "pending"): WebhookEventType[] {
  if (status === "draft") return ["invoice.drafted"];
  if (status === "voided") return [];
  if (status !== "paid") return ["invoice.created", "invoice.finalized"];
  // Paid at issue by the customer's credit balance: its payment status changed, as after any payment.
  return paymentStatus === "succeeded" ? ["invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_status_updated"] : ["invoice.created", "invoice.finalized", "invoice.paid"];
}

const EVERY_INVOICE_TYPE: WebhookEventType[] = [
  "invoice.created", "invoice.drafted", "invoice.finalized", "invoice.paid", "invoice.voided",
  "invoice.payment_failed", "invoice.payment_failure", "invoice.payment_status_updated", "invoice.payment_dispute_lost",
  "invoice.payment_overdue", "invoice.one_off_created",
];

/** Which of these services have an endpoint listening to invoice events. */
export function servicesListeningToInvoices(tx: Client, serviceIds: string[]): Promise<Set<string>> {
  return servicesListeningTo(tx, serviceIds, EVERY_INVOICE_TYPE);
}

/**
 * Records invoice events for the given invoices, each with the types `typesOf` picks from its current state, in the
 * given order. Shadow invoices never produce events: the apps must not act on shadow billing. `listening` is what
 * servicesListeningToInvoices answered earlier in the transaction, for a caller that must not spend the round trip
 * here (the period close, holding the invoice number series).
 */
export async function recordInvoiceEvents(
  tx: Client,
  targets: { id: string; serviceId: string }[],
  typesOf: (invoice: { status: "draft" | "finalized" | "paid" | "voided"; paymentStatus: "pending" | "succeeded" | "failed" }) => WebhookEventType[],
  listening?: Set<string>,
): Promise<void> {
  if (targets.length === 0) return;
  listening ??= await servicesListeningToInvoices(tx, [...new Set(targets.map((t) => t.serviceId))]);
  if (listening.size === 0) return;
  const invoiceIds = targets.filter((t) => listening.has(t.serviceId)).map((t) => t.id);
  const invoices = await tx.invoice.findMany({
    where: { id: { in: invoiceIds }, shadow: false },
    include: { lines: { orderBy: { position: "asc" } }, taxes: { orderBy: { code: "asc" } }, customer: true, coupons: invoiceCouponsInclude },
  });
  const order = new Map(invoiceIds.map((id, i) => [id, i]));
  invoices.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  const ids = await externalIds(tx, invoices);
  const events: OutboundEvent[] = invoices.flatMap((invoice) => {
    const object = serializeInvoice(invoice, { externalCustomerId: ids.get(`${invoice.serviceId}:${invoice.customerId}`) });
    return typesOf(invoice).map((type) => ({
      serviceId: invoice.serviceId, type, objectType: "invoice", objectId: invoice.id, object,
    }));
  });
  await recordWebhookEvents(tx, events);
}

/** `credit_note.created`, to the service of the credited invoice (none for a shadow invoice). */
export async function recordCreditNoteCreated(tx: Client, creditNoteId: string): Promise<void> {
  const note = await tx.creditNote.findUniqueOrThrow({ where: { id: creditNoteId }, include: { invoice: true } });
  if (note.invoice.shadow) return;
  if (!(await servicesListeningTo(tx, [note.invoice.serviceId], ["credit_note.created"])).size) return;
  // The note as issued: its refund is sent to the card only after this transaction commits, so its status is pending.
  const [shown] = await withRefundStatus(tx, [note]);
  await recordWebhookEvents(tx, [{
    serviceId: note.invoice.serviceId, type: "credit_note.created", objectType: "credit_note", objectId: note.id, object: serializeCreditNote(shown),
  }]);
}

/** Subscription events (with the plan, as Lago sends them), to the subscription's service, in the given order. */
export async function recordSubscriptionEvents(tx: Client, items: { subscriptionId: string; type: WebhookEventType }[]): Promise<void> {
  if (items.length === 0) return;
  const ids = [...new Set(items.map((i) => i.subscriptionId))];
  const heads = await tx.subscription.findMany({ where: { id: { in: ids } }, select: { serviceId: true } });
  const listening = await servicesListeningTo(tx, [...new Set(heads.map((h) => h.serviceId))], [...new Set(items.map((i) => i.type))]);
  if (listening.size === 0) return;
  const subscriptions = await tx.subscription.findMany({ where: { id: { in: ids }, serviceId: { in: [...listening] } }, include: subscriptionInclude });
  const byId = new Map(subscriptions.map((s) => [s.id, s]));
  const external = await externalIds(tx, subscriptions);
  const events: OutboundEvent[] = [];
  for (const item of items) {
    const sub = byId.get(item.subscriptionId);
    if (!sub) continue;
    events.push({
      serviceId: sub.serviceId, type: item.type, objectType: "subscription", objectId: sub.id,
      object: serializeSubscription(sub, external.get(`${sub.serviceId}:${sub.customerId}`) ?? "", { withPlan: true }),
    });
  }
  await recordWebhookEvents(tx, events);
}

/**
 * A customer event to the services linked to the customer (each sees its own external id), or only to `serviceIds`.
 * Customer fields are shared, so an update made through one service is news to all of them.
 */
export async function recordCustomerEvent(tx: Client, customerId: string, type: "customer.created" | "customer.updated", serviceIds?: string[]): Promise<void> {
  const links = await tx.accountLink.findMany({
    where: { customerId, deletedAt: null, ...(serviceIds ? { serviceId: { in: serviceIds } } : {}) },
    include: { customer: true },
  });
  const listening = await servicesListeningTo(tx, links.map((l) => l.serviceId), [type]);
  const events: OutboundEvent[] = links
    .filter((l) => listening.has(l.serviceId))
    .map(({ customer, ...link }) => ({
      serviceId: link.serviceId, type, objectType: "customer", objectId: customer.id,
      object: serializeCustomer({ customer, link }),
    }));
  await recordWebhookEvents(tx, events);
}
