import { z } from "zod";
import type { CouponInput } from "@/lib/coupons/coupons";
import type { ApplyCouponInput } from "@/lib/coupons/applied-coupons";
import { amountCents, boundedDecimal, catalogCode, currencyCode, externalId, isoDateTime, optionalText } from "./common";

/** A percentage: more than 0, at most 100, up to 4 decimals (Decimal(9,4)); JSON number or decimal string. */
const percentageRate = boundedDecimal({ min: "0", max: "100", scale: 4 });
const frequencyDuration = z.number().int("value_is_invalid").min(1, "value_is_out_of_range").max(1200, "value_is_out_of_range");
export const COUPON_TYPES = ["fixed_amount", "percentage"] as const;
export const COUPON_FREQUENCIES = ["once", "recurring", "forever"] as const;
export const COUPON_EXPIRATIONS = ["no_expiration", "time_limit"] as const;

const couponFields = {
  name: z.string().trim().min(1, "value_is_mandatory").max(255),
  code: catalogCode,
  description: optionalText(2000),
  coupon_type: z.enum(COUPON_TYPES, "value_is_invalid"),
  amount_cents: amountCents.nullable().optional(),
  amount_currency: currencyCode.nullable().optional(),
  percentage_rate: percentageRate.nullable().optional(),
  frequency: z.enum(COUPON_FREQUENCIES, "value_is_invalid"),
  frequency_duration: frequencyDuration.nullable().optional(),
  reusable: z.boolean().optional(),
  expiration: z.enum(COUPON_EXPIRATIONS, "value_is_invalid"),
  expiration_at: isoDateTime.nullable().optional(),
  applies_to: z
    .strictObject({
      plan_codes: z.array(catalogCode).max(100).nullable().optional(),
      // Coupons limited to billable metrics are not implemented: refused rather than applied to the whole invoice.
      billable_metric_codes: z.array(z.string()).max(100).nullable().optional().refine((v) => !v || v.length === 0, "not_supported"),
    })
    .nullable()
    .optional(),
};

const requireExpirationDate = (body: { expiration?: string; expiration_at?: Date | null }, ctx: z.RefinementCtx) => {
  if (body.expiration === "time_limit" && !body.expiration_at) ctx.addIssue({ code: "custom", path: ["expiration_at"], message: "value_is_mandatory" });
};

export const createCouponBody = z.strictObject(couponFields).superRefine(requireExpirationDate);
export const updateCouponBody = z.strictObject(couponFields).partial().superRefine(requireExpirationDate);

export function couponInputFrom(body: z.infer<typeof updateCouponBody>): Partial<CouponInput> {
  const input: Partial<CouponInput> = {};
  if (body.code !== undefined) input.code = body.code;
  if (body.name !== undefined) input.name = body.name;
  if (body.description !== undefined) input.description = body.description;
  if (body.coupon_type !== undefined) input.couponType = body.coupon_type;
  if (body.amount_cents !== undefined) input.amountCents = body.amount_cents;
  if (body.amount_currency !== undefined) input.currency = body.amount_currency;
  if (body.percentage_rate !== undefined) input.percentageRate = body.percentage_rate;
  if (body.frequency !== undefined) input.frequency = body.frequency;
  if (body.frequency_duration !== undefined) input.frequencyDuration = body.frequency_duration;
  if (body.reusable !== undefined) input.reusable = body.reusable;
  if (body.expiration === "no_expiration") input.expirationAt = null;
  else if (body.expiration_at !== undefined) input.expirationAt = body.expiration_at;
  if (body.applies_to !== undefined) input.planCodes = body.applies_to?.plan_codes ?? [];
  return input;
}

export const applyCouponBody = z.strictObject({
  external_customer_id: externalId,
  coupon_code: catalogCode,
  amount_cents: amountCents.nullable().optional(),
  amount_currency: currencyCode.nullable().optional(),
  percentage_rate: percentageRate.nullable().optional(),
  frequency: z.enum(COUPON_FREQUENCIES, "value_is_invalid").nullable().optional(),
  frequency_duration: frequencyDuration.nullable().optional(),
});

export function applyCouponInputFrom(body: z.infer<typeof applyCouponBody>): ApplyCouponInput {
  return {
    externalCustomerId: body.external_customer_id,
    couponCode: body.coupon_code,
    amountCents: body.amount_cents ?? null,
    currency: body.amount_currency ?? null,
    percentageRate: body.percentage_rate ?? null,
    frequency: body.frequency ?? null,
    frequencyDuration: body.frequency_duration ?? null,
  };
}
