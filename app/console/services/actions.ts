"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { staffActor } from "@/lib/audit/audit-log";
import { db } from "@/lib/db/prisma";
import {
  apiKeyTarget, issueApiKeyForm, serviceForm, webhookDeliveryTarget, webhookEndpointActivation, webhookEndpointForm, webhookEndpointTarget,
  type RevealedSecret,
} from "@/lib/console/forms/service-forms";
import { replayServiceDelivery } from "@/lib/console/webhook-log";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { issueApiKey, revokeApiKey, rotateApiKey } from "@/lib/services/service-api-keys";
import { createService, getServiceByCode } from "@/lib/services/services";
import { rotateWebhookSecret } from "@/lib/services/webhook-settings";
import { createWebhookEndpoint, deleteWebhookEndpoint, updateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoints";

// Services, their API keys and webhook endpoints are credentials and integration settings: administrators only.
// Replaying a delivery resends an event the service already had, so finance may do it.

const serviceCode = z.tuple([z.string().min(1).max(255)]);

export const createServiceAction = staffAction({ role: "admin" }, serviceForm, async (form, { staff }) => {
  const service = await createService(db(), form, staffActor(staff.id));
  refreshConsole();
  redirect(`/console/services/${encodeURIComponent(service.code)}`);
});

export const issueApiKeyAction = staffAction<typeof issueApiKeyForm, RevealedSecret, typeof serviceCode>(
  { role: "admin", args: serviceCode }, issueApiKeyForm, async (form, { staff, args: [code] }) => {
    const service = await getServiceByCode(db(), code);
    const issued = form.replaces_key_id
      ? await rotateApiKey(db(), service.id, form.replaces_key_id, staffActor(staff.id))
      : await issueApiKey(db(), service.id, staffActor(staff.id), form.name);
    refreshConsole();
    return {
      message: form.replaces_key_id ? "Key rotated: the old key no longer works." : "API key created.",
      result: { secret: issued.key, label: `API key ${issued.apiKey.name} (${issued.apiKey.prefix}…)` },
    };
  },
);

export const revokeApiKeyAction = staffAction({ role: "admin", args: serviceCode }, apiKeyTarget, async ({ key_id }, { staff, args: [code] }) => {
  const service = await getServiceByCode(db(), code);
  const key = await revokeApiKey(db(), service.id, key_id, staffActor(staff.id));
  refreshConsole();
  return { message: `Key ${key.prefix}… revoked.` };
});

export const createWebhookEndpointAction = staffAction({ role: "admin", args: serviceCode }, webhookEndpointForm, async (form, { staff, args: [code] }) => {
  const service = await getServiceByCode(db(), code);
  const endpoint = await createWebhookEndpoint(db(), service.id, { url: form.webhook_url, name: form.name, eventTypes: form.event_types }, staffActor(staff.id));
  refreshConsole();
  const types = endpoint.eventTypes.length;
  return { message: `Endpoint added: ${types === 0 ? "every event type goes" : types === 1 ? "1 event type goes" : `${types} event types go`} to ${endpoint.url}.` };
});

export const setWebhookEndpointActiveAction = staffAction({ role: "admin", args: serviceCode }, webhookEndpointActivation, async ({ endpoint_id, active }, { staff, args: [code] }) => {
  const service = await getServiceByCode(db(), code);
  await updateWebhookEndpoint(db(), service.id, endpoint_id, { active }, staffActor(staff.id));
  refreshConsole();
  return { message: active ? "Endpoint enabled: its waiting deliveries go out now." : "Endpoint disabled: its deliveries wait until it is enabled again." };
});

export const deleteWebhookEndpointAction = staffAction({ role: "admin", args: serviceCode }, webhookEndpointTarget, async ({ endpoint_id }, { staff, args: [code] }) => {
  const service = await getServiceByCode(db(), code);
  const endpoint = await deleteWebhookEndpoint(db(), service.id, endpoint_id, staffActor(staff.id));
  refreshConsole();
  return { message: `Endpoint ${endpoint.url} removed with its deliveries.` };
});

export const replayWebhookDeliveryAction = staffAction({ role: "finance", args: serviceCode }, webhookDeliveryTarget, async ({ delivery_id }, { staff, args: [code] }) => {
  const service = await getServiceByCode(db(), code);
  await replayServiceDelivery(db(), service.id, delivery_id, staffActor(staff.id));
  refreshConsole();
  return { message: "Replay queued: the same event (same id) is sent again now." };
});

export const rotateWebhookSecretAction = staffAction<typeof noFields, RevealedSecret, typeof serviceCode>(
  { role: "admin", args: serviceCode }, noFields, async (_form, { staff, args: [code] }) => {
    const service = await getServiceByCode(db(), code);
    const secret = await rotateWebhookSecret(db(), service.id, staffActor(staff.id));
    refreshConsole();
    return { message: "Signing secret rotated: webhooks are signed with the new secret from now on.", result: { secret, label: "Webhook signing secret" } };
  },
);
