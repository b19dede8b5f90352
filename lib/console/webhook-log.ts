import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { DomainError, entityNotFound } from "@/lib/errors";
import type { Prisma, WebhookDeliveryStatus } from "@/lib/generated/prisma/client";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { buildWebhookRequest, replayDelivery } from "@/lib/webhooks/webhook-delivery";
import { fetchTablePage, orderBySort, textFilter, type TableQuery } from "./table-query";
import { containsInsensitive } from "@/lib/db/text-match";

/** The console's view of a service's webhooks: its endpoints, the delivery log, one delivery's attempts, replay. */

export const WEBHOOK_ENDPOINT_SORTS = ["createdAt", "url", "name"] as const;
export type WebhookEndpointSort = (typeof WEBHOOK_ENDPOINT_SORTS)[number];

export interface WebhookEndpointRow {
  id: string;
  url: string;
  name: string | null;
  eventTypes: string[];
  active: boolean;
  createdAt: string;
}

export async function listWebhookEndpointRows(client: Db, serviceId: string, query: TableQuery<WebhookEndpointSort>) {
  const where: Prisma.WebhookEndpointWhereInput = { serviceId, ...textFilter(query.filter, ["url", "name"]) };
  return fetchTablePage(query, () => client.webhookEndpoint.count({ where }), async (window) => {
    const endpoints = await client.webhookEndpoint.findMany({ where, orderBy: orderBySort(query, new Set(["name"])), ...window });
    return endpoints.map((e): WebhookEndpointRow => ({
      id: e.id, url: e.url, name: e.name, eventTypes: e.eventTypes, active: e.active, createdAt: e.createdAt.toISOString(),
    }));
  });
}

export const WEBHOOK_DELIVERY_SORTS = ["createdAt", "status", "attempts", "lastStatusCode", "lastLatencyMs", "nextAttemptAt"] as const;
export type WebhookDeliverySort = (typeof WEBHOOK_DELIVERY_SORTS)[number];

export interface WebhookDeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  url: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  createdAt: string;
  /** Only while it is pending. */
  nextAttemptAt: string | null;
}

/** The delivery log, newest first by default; the filter matches the event type, the status or the endpoint URL. */
export async function listWebhookDeliveries(client: Db, serviceId: string, query: TableQuery<WebhookDeliverySort>) {
  const text = query.filter;
  const statuses = (["pending", "delivered", "failed"] as const).filter((s) => text && s.startsWith(text.toLowerCase()));
  const where: Prisma.WebhookDeliveryWhereInput = {
    endpoint: { serviceId },
    ...(text
      ? { OR: [{ event: { eventType: containsInsensitive(text) } }, { endpoint: { url: containsInsensitive(text) } }, ...(statuses.length ? [{ status: { in: statuses } }] : [])] }
      : {}),
  };
  return fetchTablePage(query, () => client.webhookDelivery.count({ where }), async (window) => {
    const deliveries = await client.webhookDelivery.findMany({
      where,
      orderBy: orderBySort(query, new Set(["lastStatusCode", "lastLatencyMs"])),
      ...window,
      include: { event: { select: { id: true, eventType: true } }, endpoint: { select: { url: true } } },
    });
    return deliveries.map((d): WebhookDeliveryRow => ({
      id: d.id,
      eventId: d.event.id,
      eventType: d.event.eventType,
      url: d.endpoint.url,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastLatencyMs: d.lastLatencyMs,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
    }));
  });
}

/** One delivery of the service with its event and endpoint, and the body as it is sent (signature headers aside). */
export async function findWebhookDelivery(client: Db, serviceId: string, deliveryId: string) {
  if (!isUuid(deliveryId)) return null;
  const delivery = await client.webhookDelivery.findFirst({ where: { id: deliveryId, endpoint: { serviceId } }, include: { event: true, endpoint: true } });
  if (!delivery) return null;
  const { body } = buildWebhookRequest(delivery.event, "", delivery.event.createdAt);
  return { ...delivery, body: JSON.stringify(JSON.parse(body), null, 2) };
}

export const WEBHOOK_ATTEMPT_SORTS = ["attempt", "startedAt", "statusCode", "latencyMs"] as const;
export type WebhookAttemptSort = (typeof WEBHOOK_ATTEMPT_SORTS)[number];

export interface WebhookAttemptRow {
  id: string;
  attempt: number;
  startedAt: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  response: string | null;
}

export async function listWebhookAttempts(client: Db, deliveryId: string, query: TableQuery<WebhookAttemptSort>) {
  const where: Prisma.WebhookDeliveryAttemptWhereInput = { deliveryId, ...textFilter(query.filter, ["error", "response"]) };
  return fetchTablePage(query, () => client.webhookDeliveryAttempt.count({ where }), async (window) => {
    const attempts = await client.webhookDeliveryAttempt.findMany({ where, orderBy: orderBySort(query, new Set(["statusCode"])), ...window });
    return attempts.map((a): WebhookAttemptRow => ({
      id: a.id, attempt: a.attempt, startedAt: a.startedAt.toISOString(), statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, response: a.response,
    }));
  });
}

/** Staff replay: the delivery is queued again now, same event id, with a fresh retry budget. */
export async function replayServiceDelivery(client: Db, serviceId: string, deliveryId: string, actor: AuditActor) {
  const delivery = isUuid(deliveryId) ? await client.webhookDelivery.findFirst({ where: { id: deliveryId, endpoint: { serviceId } } }) : null;
  if (!delivery) throw entityNotFound("webhook_delivery");
  const replayed = await replayDelivery(client, delivery.id);
  if (!replayed) throw new DomainError("not_allowed", "delivery_in_flight", undefined, "An attempt is in progress: wait for its outcome, then replay");
  await recordAudit(client, actor, { action: "webhook_delivery.replayed", entityType: "WebhookDelivery", entityId: delivery.id, data: { eventId: delivery.eventId } });
  return delivery;
}
