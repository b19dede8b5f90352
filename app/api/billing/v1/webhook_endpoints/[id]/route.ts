import { db } from "@/lib/db/prisma";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { updateWebhookEndpointBody, webhookEndpointInputFrom } from "@/lib/api/schemas/webhook-endpoint";
import { serializeWebhookEndpoint } from "@/lib/api/serializers/webhook-endpoint";
import { deleteWebhookEndpoint, getServiceWebhookEndpoint, updateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoints";

type Params = { id: string };

export const GET = serviceRoute<Params>(async ({ params, service }) => {
  return json({ webhook_endpoint: serializeWebhookEndpoint(await getServiceWebhookEndpoint(db(), service.id, params.id)) });
});

export const PUT = serviceRoute<Params>(async ({ request, params, service }) => {
  const body = parseBody(updateWebhookEndpointBody, await readEnvelope(request, "webhook_endpoint"));
  const endpoint = await updateWebhookEndpoint(db(), service.id, params.id, webhookEndpointInputFrom(body), { type: "service", id: service.id });
  return json({ webhook_endpoint: serializeWebhookEndpoint(endpoint) });
});

export const DELETE = serviceRoute<Params>(async ({ params, service }) => {
  return json({ webhook_endpoint: serializeWebhookEndpoint(await deleteWebhookEndpoint(db(), service.id, params.id, { type: "service", id: service.id })) });
});

export { methodNotAllowed as POST, methodNotAllowed as PATCH };
