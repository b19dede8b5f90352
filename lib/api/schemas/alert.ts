import { z } from "zod";
import type { AlertInput } from "@/lib/usage-monitoring/usage-alerts";
import { SUPPORTED_ALERT_TYPES } from "@/lib/usage-monitoring/usage-alerts";
import { validationError } from "@/lib/api/errors";
import { boundedDecimal, catalogCode, INPUT_BOUNDS, optionalText } from "./common";

/** Lago's alert types; the lifetime ones are not offered (422 not_supported), the rest are evaluated by the usage monitor. */
export const LAGO_ALERT_TYPES = [...SUPPORTED_ALERT_TYPES, "lifetime_usage_amount", "billable_metric_lifetime_usage_units"] as const;

const alertThreshold = z.strictObject({
  code: z.string().trim().max(255).nullable().optional(),
  value: boundedDecimal({ min: "0", max: INPUT_BOUNDS.maxUsageValue, scale: INPUT_BOUNDS.maxScale }).refine((v) => Number(v) > 0, "value_is_out_of_range"),
  recurring: z.boolean().optional(),
});

const thresholds = z
  .array(alertThreshold)
  .min(1, "value_is_mandatory")
  .max(20)
  .superRefine((list, ctx) => {
    if (list.filter((t) => t.recurring).length > 1) ctx.addIssue({ code: "custom", message: "only_one_recurring_threshold" });
    const fixed = list.filter((t) => !t.recurring).map((t) => t.value);
    if (new Set(fixed).size !== fixed.length) ctx.addIssue({ code: "custom", message: "duplicate_threshold_values" });
  });

const alertFields = {
  alert_type: z.enum(LAGO_ALERT_TYPES, { message: "value_is_invalid" }).refine((t) => (SUPPORTED_ALERT_TYPES as readonly string[]).includes(t), "not_supported"),
  code: catalogCode,
  name: optionalText(),
  billable_metric_code: z.string().trim().max(255).nullable().optional(),
  thresholds,
};

export const createAlertBody = z.strictObject(alertFields);
/** An update names what changes; the type is fixed at creation. */
export const updateAlertBody = z.strictObject({ code: alertFields.code, name: alertFields.name, billable_metric_code: alertFields.billable_metric_code, thresholds }).partial();

export function alertInputFrom(body: Partial<z.infer<typeof createAlertBody>>): AlertInput {
  return {
    alertType: body.alert_type as AlertInput["alertType"],
    code: body.code,
    name: body.name,
    billableMetricCode: body.billable_metric_code,
    thresholds: body.thresholds?.map((t) => ({ code: t.code ?? null, value: t.value, recurring: t.recurring ?? false })),
  };
}

/** Alerts are kept on the active subscription; Lago's `subscription_status` for other statuses is not offered. */
export function refuseOtherStatus(url: URL): void {
  const status = url.searchParams.get("subscription_status");
  if (status !== null && status !== "active") throw validationError({ subscription_status: ["not_supported"] });
}
