"use server";

import { redirect } from "next/navigation";
import { staffActor } from "@/lib/audit/audit-log";
import { db } from "@/lib/db/prisma";
import type { FormState } from "@/lib/console/forms/form-state";
import { apiKeyTarget, issueApiKeyForm, serviceForm, webhookUrlForm, type RevealedSecret } from "@/lib/console/forms/service-forms";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";
import { issueApiKey, revokeApiKey, rotateApiKey } from "@/lib/services/service-api-keys";
import { createService, getServiceByCode } from "@/lib/services/services";
import { rotateWebhookSecret, updateWebhookUrl } from "@/lib/services/webhook-settings";

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

export async function updateWebhookUrlAction(serviceCode: string, _state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    const { webhook_url } = webhookUrlForm.parse(values);
    const service = await getServiceByCode(db(), serviceCode);
    await updateWebhookUrl(db(), service.id, webhook_url, staffActor(staff.id));
    refreshConsole();
    return { message: webhook_url ? "Webhook URL saved." : "Webhook URL removed: no webhooks are sent." };
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
