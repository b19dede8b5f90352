import { CHARGE_MODELS, PLAN_INTERVALS } from "@/lib/catalog/vocabulary";
import { z } from "zod";
import type { ChargeInput, PlanInput } from "@/lib/catalog/plans";
import { amountCents, catalogCode, currencyCode, includedQuantity, optionalText, trialPeriodDays } from "./common";

/** Taxes follow the Canadian rules from the customer's province; Lago's per-object tax codes have nothing to name. */
const noTaxCodes = z.array(z.string()).optional().refine((codes) => !codes?.length, "not_supported");

/** Lago's charge filter: events whose properties match `values` are priced with `properties` (the charge's model). */
export const chargeFilterBody = z.strictObject({
  invoice_display_name: optionalText(),
  properties: z.record(z.string(), z.unknown()),
  values: z.record(z.string().min(1).max(255), z.array(z.string().max(255)).max(100)),
});

export function chargeFiltersFrom(filters: z.infer<typeof chargeFilterBody>[]): NonNullable<ChargeInput["filters"]> {
  return filters.map((f) => ({ invoiceDisplayName: f.invoice_display_name ?? null, properties: f.properties, values: f.values }));
}

const chargeBody = z.strictObject({
  id: z.string().uuid().optional(),
  billable_metric_id: z.string().uuid().optional(),
  billable_metric_code: z.string().optional(),
  code: catalogCode.optional(),
  charge_model: z.enum(CHARGE_MODELS),
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
  // Pay-in-advance charges are billed on each event (instant invoice); a fee without an invoice (`invoiceable: false`,
  // `regroup_paid_fees`) and per-unit proration of recurring metrics are not offered, and saying so beats accepting a
  // setting that would be ignored.
  pay_in_advance: z.boolean().optional(),
  prorated: z.boolean().optional().refine((v) => !v, "not_supported"),
  invoiceable: z.boolean().optional().refine((v) => v !== false, "not_supported"),
  regroup_paid_fees: z.unknown().optional().refine((v) => v === undefined || v === null, "not_supported"),
  min_amount_cents: amountCents.nullable().optional(),
  invoice_display_name: optionalText(),
  included_quantity: includedQuantity.optional(),
  tax_codes: noTaxCodes,
  filters: z.array(chargeFilterBody).max(50).optional(),
}).refine((c) => c.billable_metric_id || c.billable_metric_code, { message: "value_is_mandatory", path: ["billable_metric_id"] });

const planFields = {
  name: z.string().trim().min(1, "value_is_mandatory").max(255),
  code: catalogCode,
  interval: z.enum(PLAN_INTERVALS),
  amount_cents: amountCents,
  amount_currency: currencyCode.optional(),
  pay_in_advance: z.boolean().optional(),
  trial_period: trialPeriodDays.nullable().optional(),
  // Only meaningful on yearly and semiannual plans (Lago forces it to null on others: stored as null there too).
  bill_charges_monthly: z.boolean().nullable().optional(),
  description: optionalText(2000),
  invoice_display_name: optionalText(),
  tax_codes: noTaxCodes,
  charges: z.array(chargeBody).max(100).optional(),
};

export const createPlanBody = z.strictObject(planFields);
export const updatePlanBody = z.strictObject(planFields).partial();

function chargeInputFrom(body: z.infer<typeof chargeBody>): ChargeInput {
  return {
    id: body.id,
    billableMetricId: body.billable_metric_id,
    billableMetricCode: body.billable_metric_code,
    code: body.code,
    chargeModel: body.charge_model,
    properties: body.properties ?? undefined,
    includedQuantity: body.included_quantity,
    minAmountCents: body.min_amount_cents ?? null,
    invoiceDisplayName: body.invoice_display_name,
    payInAdvance: body.pay_in_advance,
    filters: body.filters ? chargeFiltersFrom(body.filters) : undefined,
  };
}

export function planInputFrom(body: Partial<z.infer<typeof createPlanBody>>): Partial<PlanInput> {
  const input: Partial<PlanInput> = {};
  if (body.code !== undefined) input.code = body.code;
  if (body.name !== undefined) input.name = body.name;
  if (body.description !== undefined) input.description = body.description;
  if (body.invoice_display_name !== undefined) input.invoiceDisplayName = body.invoice_display_name;
  if (body.interval !== undefined) input.interval = body.interval;
  if (body.amount_cents !== undefined) input.amountCents = body.amount_cents;
  if (body.amount_currency !== undefined) input.currency = body.amount_currency;
  if (body.pay_in_advance !== undefined) input.payInAdvance = body.pay_in_advance;
  if (body.trial_period !== undefined) input.trialPeriodDays = body.trial_period;
  if (body.bill_charges_monthly !== undefined) input.billChargesMonthly = body.bill_charges_monthly;
  if (body.charges !== undefined) input.charges = body.charges.map(chargeInputFrom);
  return input;
}
