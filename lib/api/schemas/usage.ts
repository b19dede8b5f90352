import { z } from "zod";
import { boundedDecimal, INPUT_BOUNDS, isDateInBounds, isoDateTime, usageValue } from "./common";

/** Unix seconds as a number or numeric string, fractions allowed (Lago); ISO strings are refused as Lago does. */
const unixTimestamp = z
  .union([z.number().finite(), z.string().trim().regex(/^\d+(\.\d+)?$/, "invalid_format")])
  .transform((v) => new Date(Math.round(Number(v) * 1000)))
  .refine((d) => isDateInBounds(d), "value_is_out_of_range");

export const eventBody = z.strictObject({
  transaction_id: z.string().trim().min(1, "value_is_mandatory").max(255),
  code: z.string().trim().min(1, "value_is_mandatory").max(255),
  external_subscription_id: z.string().trim().min(1, "value_is_mandatory").max(255),
  timestamp: unixTimestamp.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  precise_total_amount_cents: boundedDecimal({ min: "0", max: String(INPUT_BOUNDS.maxAmountCents), scale: INPUT_BOUNDS.maxScale }).nullable().optional(),
});

export const MAX_EVENTS_PER_BATCH = 100;
export const MAX_USAGE_PER_BATCH = 1000;

export const usageRecordBody = z
  .strictObject({
    external_subscription_id: z.string().trim().min(1, "value_is_mandatory").max(255),
    code: z.string().trim().min(1, "value_is_mandatory").max(255),
    period_start: isoDateTime.optional(),
    period_end: isoDateTime.optional(),
    timestamp: isoDateTime.optional(),
    value: usageValue,
    idempotency_key: z.string().trim().min(1, "value_is_mandatory").max(255),
  })
  .superRefine((r, ctx) => {
    if (r.timestamp && (r.period_start || r.period_end)) {
      ctx.addIssue({ code: "custom", path: ["timestamp"], message: "value_is_invalid" });
    } else if (!r.timestamp) {
      if (!r.period_start) ctx.addIssue({ code: "custom", path: ["period_start"], message: "value_is_mandatory" });
      if (!r.period_end) ctx.addIssue({ code: "custom", path: ["period_end"], message: "value_is_mandatory" });
      if (r.period_start && r.period_end && r.period_end < r.period_start) {
        ctx.addIssue({ code: "custom", path: ["period_end"], message: "invalid_date" });
      }
    }
  })
  .transform((r) => ({
    externalSubscriptionId: r.external_subscription_id,
    metricCode: r.code,
    periodStart: (r.timestamp ?? r.period_start)!,
    periodEnd: (r.timestamp ?? r.period_end)!,
    value: r.value,
    idempotencyKey: r.idempotency_key,
  }));
