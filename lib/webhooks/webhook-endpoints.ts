import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { DomainError, entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import type { WebhookEndpoint } from "@/lib/generated/prisma/client";
import { newWebhookSecret } from "@/lib/services/webhook-secrets";
import { webhookUrlProblem } from "@/lib/services/webhook-settings";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { SUBSCRIBABLE_EVENT_TYPES } from "./outbound-events";

/**
 * A service's webhook endpoints (Lago's webhook_endpoints): up to 10, each URL once, each subscribed to some event
 * types or to all (empty list). Every delivery is signed with the service's one secret (X-Nexa-Signature and Lago's
 * HMAC header). Lago's RS256 JWT signature is not offered: asking for it is refused with `jwt_not_supported`.
 */
export const MAX_WEBHOOK_ENDPOINTS = 10;

export interface WebhookEndpointInput {
  url: string;
  name?: string | null;
  signatureAlgo?: string;
  /** null or empty: every event type. */
  eventTypes?: string[] | null;
  active?: boolean;
}

/** Lower-cased, deduplicated, known names; unknown ones are refused with Lago's sentence. */
export function normalizeEventTypes(types: string[] | null | undefined): string[] {
  const names = [...new Set((types ?? []).map((t) => t.trim().toLowerCase()))];
  const unknown = names.filter((t) => !SUBSCRIBABLE_EVENT_TYPES.has(t));
  if (unknown.length) {
    const sentence = `contains invalid types: ${unknown.join(", ")}`;
    throw new DomainError("invalid", "validation_errors", { event_types: [sentence] }, `event_types ${sentence}`);
  }
  return names;
}

function checkUrl(url: string) {
  const problem = webhookUrlProblem(url);
  if (problem) throw invalidField("webhook_url", problem === "value_is_invalid" ? "url_is_invalid" : problem);
}

function checkSignatureAlgo(algo: string | undefined) {
  if (algo === undefined || algo === "hmac") return;
  if (algo === "jwt") throw invalidField("signature_algo", "jwt_not_supported", "Nexa Billing signs webhooks with HMAC-SHA256 only: use signature_algo \"hmac\"");
  throw invalidField("signature_algo", "value_is_invalid");
}

export async function listServiceWebhookEndpoints(client: Db, serviceId: string, page: { skip: number; take: number }) {
  const where = { serviceId };
  const [total, items] = await Promise.all([
    client.webhookEndpoint.count({ where }),
    client.webhookEndpoint.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return { total, items };
}

export async function getServiceWebhookEndpoint(client: Db, serviceId: string, id: string): Promise<WebhookEndpoint> {
  const endpoint = isUuid(id) ? await client.webhookEndpoint.findFirst({ where: { id, serviceId } }) : null;
  if (!endpoint) throw entityNotFound("webhook_endpoint");
  return endpoint;
}

const duplicateUrl = () => invalidField("webhook_url", "value_already_exist");

export async function createWebhookEndpoint(client: Db, serviceId: string, input: WebhookEndpointInput, actor: AuditActor): Promise<WebhookEndpoint> {
  checkUrl(input.url);
  checkSignatureAlgo(input.signatureAlgo);
  const eventTypes = normalizeEventTypes(input.eventTypes);
  try {
    return await client.$transaction(async (tx) => {
      // The service row is locked so that concurrent creations cannot pass the limit together.
      const [service] = await tx.$queryRaw<{ webhookSigningSecret: string | null }[]>`
        SELECT "webhookSigningSecret" FROM "Service" WHERE id = ${serviceId}::uuid FOR UPDATE`;
      if (!service) throw entityNotFound("service");
      if ((await tx.webhookEndpoint.count({ where: { serviceId } })) >= MAX_WEBHOOK_ENDPOINTS) {
        throw invalidField("base", "webhook_endpoints_limit_reached", `A service can have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints`);
      }
      // Deliveries are signed with the service's secret; a service created without one gets one now.
      if (!service.webhookSigningSecret) await tx.service.update({ where: { id: serviceId }, data: { webhookSigningSecret: newWebhookSecret().stored } });
      const endpoint = await tx.webhookEndpoint.create({
        data: { serviceId, url: input.url, name: input.name ?? null, eventTypes, active: input.active ?? true },
      });
      await recordAudit(tx, actor, { action: "webhook_endpoint.created", entityType: "WebhookEndpoint", entityId: endpoint.id, data: { url: endpoint.url, eventTypes } });
      return endpoint;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUrl();
    throw error;
  }
}

export async function updateWebhookEndpoint(
  client: Db,
  serviceId: string,
  id: string,
  input: Partial<WebhookEndpointInput>,
  actor: AuditActor,
): Promise<WebhookEndpoint> {
  const existing = await getServiceWebhookEndpoint(client, serviceId, id);
  if (input.url !== undefined) checkUrl(input.url);
  checkSignatureAlgo(input.signatureAlgo);
  const data = {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.eventTypes !== undefined ? { eventTypes: normalizeEventTypes(input.eventTypes) } : {}),
    ...(input.active !== undefined ? { active: input.active } : {}),
  };
  try {
    return await client.$transaction(async (tx) => {
      const endpoint = await tx.webhookEndpoint.update({ where: { id: existing.id }, data });
      await recordAudit(tx, actor, { action: "webhook_endpoint.updated", entityType: "WebhookEndpoint", entityId: endpoint.id, data: { fields: Object.keys(data) } });
      return endpoint;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUrl();
    throw error;
  }
}

/** Removes the endpoint with its pending deliveries and their log. */
export async function deleteWebhookEndpoint(client: Db, serviceId: string, id: string, actor: AuditActor): Promise<WebhookEndpoint> {
  const existing = await getServiceWebhookEndpoint(client, serviceId, id);
  return client.$transaction(async (tx) => {
    const endpoint = await tx.webhookEndpoint.delete({ where: { id: existing.id } });
    await recordAudit(tx, actor, { action: "webhook_endpoint.deleted", entityType: "WebhookEndpoint", entityId: endpoint.id, data: { url: endpoint.url } });
    return endpoint;
  });
}
