import { db } from "@/lib/db/prisma";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { createWebhookEndpointBody, webhookEndpointInputFrom } from "@/lib/api/schemas/webhook-endpoint";
import { serializeWebhookEndpoint } from "@/lib/api/serializers/webhook-endpoint";
import { createWebhookEndpoint, listServiceWebhookEndpoints } from "@/lib/webhooks/webhook-endpoints";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createWebhookEndpointBody, await readEnvelope(request, "webhook_endpoint"));
  const endpoint = await createWebhookEndpoint(db(), service.id, { ...webhookEndpointInputFrom(body), url: body.webhook_url }, { type: "service", id: service.id });
  return json({ webhook_endpoint: serializeWebhookEndpoint(endpoint) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const { total, items } = await listServiceWebhookEndpoints(db(), service.id, page);
  return json({ webhook_endpoints: items.map(serializeWebhookEndpoint), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
