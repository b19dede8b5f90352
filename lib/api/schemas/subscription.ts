import { z } from "zod";
import type { PlanOverrides } from "@/lib/catalog/plan-overrides";
import { amountCents, currencyCode, externalId, isoDateTime, optionalText } from "./common";
import { chargeFilterBody, chargeFiltersFrom } from "./plan";

const notSupported = z.unknown().refine((v) => v === undefined, "not_supported").optional();

/** A charge of the subscribed plan, repriced for this subscription. Adding charges through overrides is not offered. */
const chargeOverrideBody = z.strictObject({
  id: z.string().uuid(),
  invoice_display_name: optionalText(),
  min_amount_cents: amountCents.nullable().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  filters: z.array(chargeFilterBody).max(50).optional(),
  billable_metric_id: notSupported,
  code: notSupported,
  charge_model: notSupported,
  tax_codes: z.array(z.string()).optional().refine((codes) => !codes?.length, "not_supported"),
});

/**
 * Lago's plan_overrides (lib/catalog/plan-overrides.ts). Trials and usage thresholds are refused here for now
 * (`not_supported`), as are the other Lago keys this API does not implement (see unsupported-fields.ts).
 */
export const planOverridesBody = z.strictObject({
  amount_cents: amountCents.optional(),
  amount_currency: currencyCode.optional(),
  name: z.string().trim().min(1, "value_is_mandatory").max(255).optional(),
  invoice_display_name: optionalText(),
  description: optionalText(2000),
  tax_codes: z.array(z.string()).optional().refine((codes) => !codes?.length, "not_supported"),
  trial_period: notSupported,
  charges: z.array(chargeOverrideBody).max(100).optional(),
});

export function planOverridesFrom(body: z.infer<typeof planOverridesBody> | null | undefined): PlanOverrides | undefined {
  if (!body) return undefined;
  return {
    amountCents: body.amount_cents,
    currency: body.amount_currency,
    name: body.name,
    invoiceDisplayName: body.invoice_display_name,
    description: body.description,
    charges: body.charges?.map((c) => ({
      id: c.id,
      invoiceDisplayName: c.invoice_display_name,
      minAmountCents: c.min_amount_cents,
      properties: c.properties,
      filters: c.filters ? chargeFiltersFrom(c.filters) : undefined,
    })),
  };
}

export const createSubscriptionBody = z.strictObject({
  external_customer_id: externalId,
  plan_code: z.string().trim().min(1, "value_is_mandatory"),
  external_id: externalId,
  billing_time: z.enum(["calendar", "anniversary"]).optional(),
  subscription_at: isoDateTime.optional(),
  ending_at: isoDateTime.nullable().optional(),
  name: optionalText(),
  plan_overrides: planOverridesBody.nullable().optional(),
});

export const TERMINATION_CREDIT_NOTE = ["credit", "refund", "offset", "skip"] as const;
export const TERMINATION_INVOICE = ["generate", "skip"] as const;

export const updateSubscriptionBody = z.strictObject({
  name: optionalText(),
  ending_at: isoDateTime.nullable().optional(),
  subscription_at: isoDateTime.optional(),
  on_termination_credit_note: z.enum(TERMINATION_CREDIT_NOTE, { message: "invalid_value" }).optional(),
  on_termination_invoice: z.enum(TERMINATION_INVOICE, { message: "invalid_value" }).optional(),
  plan_overrides: planOverridesBody.nullable().optional(),
});

export const SUBSCRIPTION_STATUSES = ["pending", "active", "terminated", "canceled"] as const;
