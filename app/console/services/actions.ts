"use server";

import { redirect } from "next/navigation";
import { staffActor } from "@/lib/audit/audit-log";
import { db } from "@/lib/db/prisma";
import type { FormState } from "@/lib/console/forms/form-state";
import {
  apiKeyTarget, issueApiKeyForm, serviceForm, webhookDeliveryTarget, webhookEndpointActivation, webhookEndpointForm, webhookEndpointTarget,
  type RevealedSecret,
} from "@/lib/console/forms/service-forms";
import { replayServiceDelivery } from "@/lib/console/webhook-log";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";
import { issueApiKey, revokeApiKey, rotateApiKey } from "@/lib/services/service-api-keys";
import { createService, getServiceByCode } from "@/lib/services/services";
import { rotateWebhookSecret } from "@/lib/services/webhook-settings";
import { createWebhookEndpoint, deleteWebhookEndpoint, updateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoints";

export async function createServiceAction(_state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const service = await createService(db(), serviceForm.parse(values), staffActor(staff.id));
    refreshConsole();
    redirect(`/console/services/${encodeURIComponent(service.code)}`);
  });
}

export async function issueApiKeyAction(serviceCode: string, _state: FormState<RevealedSecret>, formData: FormData): Promise<FormState<RevealedSecret>> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const form = issueApiKeyForm.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    const issued = form.replaces_key_id
      ? await rotateApiKey(db(), service.id, form.replaces_key_id, staffActor(staff.id))
      : await issueApiKey(db(), service.id, staffActor(staff.id), form.name);
    refreshConsole();
    return {
      message: form.replaces_key_id ? "Key rotated: the old key no longer works." : "API key created.",
      result: { secret: issued.key, label: `API key ${issued.apiKey.name} (${issued.apiKey.prefix}…)` },
    };
  });
}

export async function revokeApiKeyAction(serviceCode: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const { key_id } = apiKeyTarget.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    const key = await revokeApiKey(db(), service.id, key_id, staffActor(staff.id));
    refreshConsole();
    return { message: `Key ${key.prefix}… revoked.` };
  });
}

export async function createWebhookEndpointAction(serviceCode: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const form = webhookEndpointForm.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    const endpoint = await createWebhookEndpoint(db(), service.id, { url: form.webhook_url, name: form.name, eventTypes: form.event_types }, staffActor(staff.id));
    refreshConsole();
    const types = endpoint.eventTypes.length;
    return { message: `Endpoint added: ${types === 0 ? "every event type goes" : types === 1 ? "1 event type goes" : `${types} event types go`} to ${endpoint.url}.` };
  });
}

export async function setWebhookEndpointActiveAction(serviceCode: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const { endpoint_id, active } = webhookEndpointActivation.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    await updateWebhookEndpoint(db(), service.id, endpoint_id, { active }, staffActor(staff.id));
    refreshConsole();
    return { message: active ? "Endpoint enabled: its waiting deliveries go out now." : "Endpoint disabled: its deliveries wait until it is enabled again." };
  });
}

export async function deleteWebhookEndpointAction(serviceCode: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const { endpoint_id } = webhookEndpointTarget.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    const endpoint = await deleteWebhookEndpoint(db(), service.id, endpoint_id, staffActor(staff.id));
    refreshConsole();
    return { message: `Endpoint ${endpoint.url} removed with its deliveries.` };
  });
}

export async function replayWebhookDeliveryAction(serviceCode: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const { delivery_id } = webhookDeliveryTarget.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    await replayServiceDelivery(db(), service.id, delivery_id, staffActor(staff.id));
    refreshConsole();
    return { message: "Replay queued: the same event (same id) is sent again now." };
  });
}

export async function rotateWebhookSecretAction(serviceCode: string, _state: FormState<RevealedSecret>, formData: FormData): Promise<FormState<RevealedSecret>> {
  return runStaffForm(formData, async ({ staff }) => {
    const service = await getServiceByCode(db(), serviceCode);
    const secret = await rotateWebhookSecret(db(), service.id, staffActor(staff.id));
    refreshConsole();
    return { message: "Signing secret rotated: webhooks are signed with the new secret from now on.", result: { secret, label: "Webhook signing secret" } };
  });
}
