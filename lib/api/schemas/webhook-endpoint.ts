import { z } from "zod";
import { optionalText } from "./common";

const fields = {
  webhook_url: z.string().trim().min(1, "value_is_mandatory"),
  name: optionalText(),
  signature_algo: z.string().trim().toLowerCase().optional(),
  event_types: z.array(z.string()).max(200).nullable().optional(),
};

export const createWebhookEndpointBody = z.strictObject(fields);
export const updateWebhookEndpointBody = z.strictObject(fields).partial();

export function webhookEndpointInputFrom(body: z.infer<typeof updateWebhookEndpointBody>) {
  return {
    ...(body.webhook_url !== undefined ? { url: body.webhook_url } : {}),
    ...(body.name !== undefined ? { name: body.name } : {}),
    ...(body.signature_algo !== undefined ? { signatureAlgo: body.signature_algo } : {}),
    ...(body.event_types !== undefined ? { eventTypes: body.event_types } : {}),
  };
}
