import { z } from "zod";
import { catalogCode } from "@/lib/api/schemas/common";
import type { ServiceInput } from "@/lib/services/services";
import { WEBHOOK_URL_MAX_LENGTH, webhookUrlProblem } from "@/lib/services/webhook-settings";
import { requiredText, textOrNull, uuid } from "./form-schemas";

export const serviceForm = z.object({
  code: catalogCode,
  name: requiredText(),
  mode: z.enum(["shadow", "live"], { error: "value_is_invalid" }),
}) satisfies z.ZodType<ServiceInput>;

/** A new key, or with `replaces_key_id` a rotation: the new key takes the old one's name and the old one is revoked. */
export const issueApiKeyForm = z.object({
  name: z.string().trim().max(100, "value_is_too_long").optional().transform((v) => v || "default"),
  replaces_key_id: z.string().optional().transform((v) => v || null).pipe(uuid.nullable()),
});

/** Acting on one key of the service. */
export const apiKeyTarget = z.object({ key_id: uuid });

/** Checkbox name of an event type in the endpoint form. */
export const EVENT_TYPE_FIELD_PREFIX = "event:";

/** A new endpoint: URL, optional name, and the event types ticked (none ticked: every type). */
export const webhookEndpointForm = z
  .object({
    webhook_url: requiredText(WEBHOOK_URL_MAX_LENGTH).superRefine((url, ctx) => {
      const problem = url ? webhookUrlProblem(url) : null;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    name: textOrNull(),
  })
  .catchall(z.string())
  .transform(({ webhook_url, name, ...rest }) => ({
    webhook_url,
    name,
    event_types: Object.entries(rest).filter(([key, value]) => key.startsWith(EVENT_TYPE_FIELD_PREFIX) && value === "on").map(([key]) => key.slice(EVENT_TYPE_FIELD_PREFIX.length)),
  }));

export const webhookEndpointTarget = z.object({ endpoint_id: uuid });
export const webhookEndpointActivation = z.object({ endpoint_id: uuid, active: z.enum(["true", "false"]).transform((v) => v === "true") });
export const webhookDeliveryTarget = z.object({ delivery_id: uuid });

/** A secret handed over in one action's response only: API keys are not stored readable, secrets are not shown again. */
export interface RevealedSecret {
  secret: string;
  label: string;
}
