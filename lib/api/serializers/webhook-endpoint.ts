import type { WebhookEndpoint } from "@/lib/generated/prisma/client";

/** Lago's webhook endpoint; the organization is the service. `event_types: null` means every type. */
export function serializeWebhookEndpoint(endpoint: WebhookEndpoint) {
  return {
    lago_id: endpoint.id,
    lago_organization_id: endpoint.serviceId,
    webhook_url: endpoint.url,
    signature_algo: endpoint.signatureAlgo,
    name: endpoint.name,
    event_types: endpoint.eventTypes.length ? endpoint.eventTypes : null,
    active: endpoint.active,
    created_at: endpoint.createdAt.toISOString(),
  };
}
