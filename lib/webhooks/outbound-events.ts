import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * Lifecycle events sent to the services' webhook endpoints. Ours first, then the Lago names we also emit so apps
 * written for Lago keep working (see README "Outbound webhooks" for when each is sent).
 */
export const EMITTED_EVENT_TYPES = [
  "invoice.created",
  "invoice.finalized",
  "invoice.paid",
  "invoice.payment_failed",
  "invoice.voided",
  "subscription.started",
  "subscription.terminated",
  "subscription.suspended",
  "subscription.updated",
  "subscription.trial_ended",
  "customer.created",
  "customer.updated",
  "credit_note.created",
  // Lago's names
  "invoice.drafted",
  "invoice.payment_failure",
  "invoice.payment_status_updated",
  "invoice.payment_dispute_lost",
  "invoice.payment_overdue",
  "invoice.one_off_created",
  "payment.succeeded",
  "wallet.created",
  "wallet.updated",
  "wallet.terminated",
  "wallet.depleted_ongoing_balance",
] as const;

export type WebhookEventType = (typeof EMITTED_EVENT_TYPES)[number];

/** Lago's other event type names: an endpoint may subscribe to them (apps configured for Lago), though we never send them. */
const OTHER_LAGO_EVENT_TYPES = [
  "alert.triggered",
  "billable_metric.created", "billable_metric.updated", "billable_metric.deleted",
  "customer.accounting_provider_created", "customer.accounting_provider_error", "customer.crm_provider_created",
  "customer.crm_provider_error", "customer.payment_provider_created", "customer.payment_provider_error",
  "customer.checkout_url_generated", "customer.tax_provider_error", "customer.vies_check",
  "credit_note.generated", "credit_note.provider_refund_failure", "credit_note.refund_failure",
  "dunning_campaign.finished", "event.error", "events.errors",
  "feature.created", "feature.updated", "feature.deleted", "fee.created", "fee.tax_provider_error",
  "invoice.paid_credit_added", "invoice.generated", "invoice.ready_to_finalize",
  "invoice.deleted", "invoice.resynced", "invoice.add_on_added",
  "integration.provider_error", "order.created", "order.executed",
  "order_form.created", "order_form.signed", "order_form.expired", "order_form.voided",
  "payment.requires_action", "payment_provider.error", "payment_provider.register_webhook",
  "payment_receipt.created", "payment_receipt.generated",
  "payment_request.created", "payment_request.payment_failure", "payment_request.payment_status_updated",
  "plan.created", "plan.updated", "plan.deleted", "quote.created", "quote.approved", "quote.voided",
  "subscription.canceled", "subscription.incomplete", "subscription.termination_alert",
  "subscription.usage_threshold_reached",
  "wallet_transaction.created", "wallet_transaction.updated", "wallet_transaction.payment_failure",
];

/** Every name an endpoint's `event_types` may contain. */
export const SUBSCRIBABLE_EVENT_TYPES: ReadonlySet<string> = new Set([...EMITTED_EVENT_TYPES, ...OTHER_LAGO_EVENT_TYPES]);

export interface OutboundEvent {
  serviceId: string;
  type: WebhookEventType;
  objectType: string;
  objectId: string;
  /**
   * Events of one key are delivered in creation order (e.g. a subscription id); defaults to `<objectType>:<objectId>`.
   * Events about a customer's objects (invoice, subscription, credit_note, payment, customer — objectId our id) are
   * ordered per customer instead, whatever key is given: an app sees all of one customer's events in order.
   */
  orderingKey?: string;
  /** The serialized object, placed under the envelope key named after objectType. */
  object: Record<string, unknown>;
}

/** JSON text of a payload: bigint amounts (cents) as numbers, Decimals as their strings, dates as ISO strings. */
function payloadJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? Number(v) : v));
}

type Client = Prisma.TransactionClient | Db;

/**
 * Records an event inside the caller's transaction (so it exists iff the state change commits) and queues one delivery
 * per active endpoint of the service subscribed to the type. Nothing is written, and null returned, when no endpoint
 * wants it.
 */
export async function recordWebhookEvent(tx: Client, event: OutboundEvent): Promise<{ id: string } | null> {
  const [recorded] = await recordWebhookEvents(tx, [event]);
  return recorded ?? null;
}

/**
 * Set-based form of recordWebhookEvent for bulk paths (the period close): one statement for any number of events.
 * Returns the ids of the events recorded (those some endpoint subscribes to), in input order.
 *
 * The ordering key of an event about a customer's object is `customer:<customer id>` (see OutboundEvent.orderingKey):
 * per-customer order includes per-invoice and per-subscription order, so keys chosen by different callers for the
 * same customer can never let a later event overtake an earlier one.
 */
export async function recordWebhookEvents(tx: Client, events: OutboundEvent[]): Promise<{ id: string }[]> {
  if (events.length === 0) return [];
  const rows = events.map((e, index) => ({
    n: index,
    service: e.serviceId,
    type: e.type,
    object_type: e.objectType,
    object_id: e.objectId,
    ordering_key: e.orderingKey ?? `${e.objectType}:${e.objectId}`,
    payload: e.object,
  }));
  // Events are numbered in input order (ORDER BY n), so deliveries of one ordering key follow the caller's order.
  return tx.$queryRaw<{ id: string }[]>`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${payloadJson(rows)}::jsonb)
        AS i(n int, service uuid, type text, object_type text, object_id text, ordering_key text, payload jsonb)
    ), wanted AS (
      SELECT i.n, i.service, i.type, i.object_type, i.object_id, i.payload,
             coalesce('customer:' || coalesce(inv."customerId", sub."customerId", note."customerId", pay."customerId", cus.id)::text, i.ordering_key) AS ordering_key
        FROM input i
        CROSS JOIN LATERAL (SELECT CASE WHEN i.object_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN i.object_id::uuid END AS id) o
        LEFT JOIN "Invoice" inv ON i.object_type = 'invoice' AND inv.id = o.id
        LEFT JOIN "Subscription" sub ON i.object_type = 'subscription' AND sub.id = o.id
        LEFT JOIN "CreditNote" note ON i.object_type = 'credit_note' AND note.id = o.id
        LEFT JOIN "Payment" pay ON i.object_type = 'payment' AND pay.id = o.id
        LEFT JOIN "Customer" cus ON i.object_type = 'customer' AND cus.id = o.id
       WHERE EXISTS (SELECT 1 FROM "WebhookEndpoint" e
                      WHERE e."serviceId" = i.service AND e.active
                        AND (cardinality(e."eventTypes") = 0 OR i.type = ANY(e."eventTypes")))
       ORDER BY i.n
    ), events AS (
      INSERT INTO "WebhookEvent" (id, "serviceId", "eventType", "objectType", "objectId", "orderingKey", payload)
      SELECT gen_random_uuid(), w.service, w.type, w.object_type, w.object_id, w.ordering_key, w.payload FROM wanted w ORDER BY w.n
      RETURNING id, sequence, "serviceId", "eventType", "orderingKey"
    ), deliveries AS (
      INSERT INTO "WebhookDelivery" (id, "eventId", "endpointId", "orderingKey", "eventSequence", "updatedAt")
      SELECT gen_random_uuid(), ev.id, e.id, ev."orderingKey", ev.sequence, now()
        FROM events ev
        JOIN "WebhookEndpoint" e ON e."serviceId" = ev."serviceId" AND e.active
                                AND (cardinality(e."eventTypes") = 0 OR ev."eventType" = ANY(e."eventTypes"))
    )
    SELECT id FROM events ORDER BY sequence`;
}

/**
 * The services among `serviceIds` with an active endpoint subscribed to any of `types`: bulk paths serialize objects
 * only for those.
 */
export async function servicesListeningTo(tx: Client, serviceIds: string[], types: WebhookEventType[]): Promise<Set<string>> {
  if (serviceIds.length === 0) return new Set();
  const rows = await tx.$queryRaw<{ serviceId: string }[]>`
    SELECT DISTINCT "serviceId" FROM "WebhookEndpoint"
     WHERE "serviceId" = ANY(${serviceIds}::uuid[]) AND active
       AND (cardinality("eventTypes") = 0 OR "eventTypes" && ${types}::text[])`;
  return new Set(rows.map((r) => r.serviceId));
}
