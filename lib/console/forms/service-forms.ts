import { z } from "zod";
import { catalogCode } from "@/lib/api/schemas/common";
import type { ServiceInput } from "@/lib/services/services";
import { webhookUrlProblem } from "@/lib/services/webhook-settings";
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

/** An empty URL turns webhooks off. */
export const webhookUrlForm = z.object({
  webhook_url: textOrNull(4000).superRefine((url, ctx) => {
    const problem = url === null ? null : webhookUrlProblem(url);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
});

/** A secret handed over in one action's response only: API keys are not stored readable, secrets are not shown again. */
export interface RevealedSecret {
  secret: string;
  label: string;
}
