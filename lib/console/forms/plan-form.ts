import { PLAN_INTERVALS } from "@/lib/catalog/vocabulary";
import { z } from "zod";
import { catalogCode, currencyCode } from "@/lib/api/schemas/common";
import type { PricingRange } from "@/lib/billing/charge-models";
import { centsToDecimal } from "@/lib/billing/money";
import { storedChargeProperties, type ChargeInput, type PlanInput, type PlanWithCharges } from "@/lib/catalog/plans";
import { emptyChargeDraft, type ChargeDraft, type ChargeModelName } from "./charge-draft";
import type { FormValues } from "./form-state";
import { checkbox, decimalText, dollarsAsCents, requiredText, textOrNull, uuid, wholeNumber } from "./form-schemas";

export { PLAN_INTERVALS };

const tier = z.object({
  to_value: z.string(),
  per_unit_amount: decimalText(),
  flat_amount: z.string().trim().transform((v) => v || "0").pipe(decimalText()),
});

/**
 * Tier rows as Lago ranges: each starts one above the previous upper bound; the last one is open. Problems are given by
 * row index, and stop at the first bad bound (the tiers after it start from it).
 */
function rangesOfTiers(tiers: readonly z.infer<typeof tier>[]) {
  const ranges: PricingRange[] = [];
  const problems: { index: number; message: string }[] = [];
  let from = 0;
  for (const [index, row] of tiers.entries()) {
    const to = row.to_value.trim();
    const amounts = { per_unit_amount: row.per_unit_amount, flat_amount: row.flat_amount };
    if (index === tiers.length - 1) {
      if (to !== "") problems.push({ index, message: "The last tier is open: leave “up to” empty." });
      ranges.push({ from_value: from, to_value: null, ...amounts });
    } else if (/^\d{1,15}$/.test(to) && Number(to) > from) {
      ranges.push({ from_value: from, to_value: Number(to), ...amounts });
      from = Number(to) + 1;
    } else {
      problems.push({ index, message: `A whole number above ${from}.` });
      break;
    }
  }
  return { ranges, problems };
}

const tiersAsRanges = (missing: "missing_graduated_ranges" | "missing_volume_ranges") =>
  z
    .array(tier)
    .min(1, missing)
    .max(50, "value_is_out_of_range")
    // A refinement, unlike a transform, also runs when an amount of some row is wrong: every mistake shows at once.
    .superRefine((tiers, ctx) => {
      for (const { index, message } of rangesOfTiers(tiers).problems) ctx.addIssue({ code: "custom", path: [index, "to_value"], message });
    })
    .transform((tiers) => rangesOfTiers(tiers).ranges);

const chargeFields = {
  id: uuid.optional(),
  billable_metric_id: z.string().min(1, "Choose a metric.").pipe(uuid),
  included_quantity: z.string().trim().transform((v) => v || "0").pipe(decimalText("value_is_invalid")),
};

const optionalDecimal = (code: string) => z.string().trim().transform((v) => v || undefined).pipe(decimalText(code).optional());

const chargeOf = <M extends ChargeModelName, P extends z.ZodType>(model: M, properties: P) =>
  z.object({ ...chargeFields, charge_model: z.literal(model), properties });

/** One variant per model: only the chosen model's inputs are read (and checked), whatever else the draft holds. */
const charge = z.discriminatedUnion(
  "charge_model",
  [
    chargeOf("standard", z.object({ amount: decimalText() })),
    chargeOf("graduated", z.object({ tiers: tiersAsRanges("missing_graduated_ranges") }).transform((p) => ({ graduated_ranges: p.tiers }))),
    chargeOf("volume", z.object({ tiers: tiersAsRanges("missing_volume_ranges") }).transform((p) => ({ volume_ranges: p.tiers }))),
    chargeOf(
      "package",
      z.object({ amount: decimalText(), package_size: wholeNumber("invalid_package_size", 1), free_units: wholeNumber("invalid_free_units") }),
    ),
    chargeOf("percentage", z.object({ rate: decimalText("invalid_rate"), fixed_amount: optionalDecimal("invalid_fixed_amount") })),
  ],
  { error: "Choose a charge model." },
);

/** The charges travel as one JSON input (the form edits them as rows in the browser). */
const chargesJson = z
  .string()
  .optional()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text || "[]") as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "The charges could not be read: reload the page." });
      return z.NEVER;
    }
  })
  .pipe(z.array(charge).max(100, "value_is_out_of_range"));

export const planForm = z
  .object({
    code: catalogCode,
    name: requiredText(),
    description: textOrNull(2000),
    interval: z.enum(PLAN_INTERVALS, { error: "value_is_invalid" }),
    amount: dollarsAsCents,
    currency: z.string().trim().transform((v) => v || "CAD").pipe(currencyCode),
    pay_in_advance: checkbox,
    charges: chargesJson,
  })
  .transform(
    (form): PlanInput => ({
      code: form.code,
      name: form.name,
      description: form.description,
      interval: form.interval,
      amountCents: form.amount,
      currency: form.currency,
      payInAdvance: form.pay_in_advance,
      charges: form.charges.map(
        (c): ChargeInput => ({
          id: c.id,
          billableMetricId: c.billable_metric_id,
          chargeModel: c.charge_model,
          includedQuantity: c.included_quantity,
          properties: c.properties,
        }),
      ),
    }),
  );

/** A stored charge as a draft for the form. */
export function chargeDraftOf(charge: PlanWithCharges["charges"][number]): ChargeDraft {
  const stored = storedChargeProperties(charge);
  const draft = emptyChargeDraft(charge.billableMetricId);
  const ranges = stored.graduated_ranges ?? stored.volume_ranges;
  return {
    ...draft,
    id: charge.id,
    charge_model: charge.chargeModel,
    included_quantity: charge.includedQuantity.toFixed(),
    properties: {
      amount: stored.amount ?? draft.properties.amount,
      package_size: stored.package_size !== undefined ? String(stored.package_size) : draft.properties.package_size,
      free_units: stored.free_units !== undefined ? String(stored.free_units) : draft.properties.free_units,
      rate: stored.rate ?? draft.properties.rate,
      fixed_amount: stored.fixed_amount ?? draft.properties.fixed_amount,
      tiers: ranges?.length
        ? ranges.map((r) => ({ to_value: r.to_value === null ? "" : String(r.to_value), per_unit_amount: r.per_unit_amount, flat_amount: r.flat_amount }))
        : draft.properties.tiers,
    },
  };
}

/** What saving a plan answers the form with: its charges as drafts again, new ones now with their ids. */
export interface SavedPlan {
  charges: ChargeDraft[];
}

/** A saved plan as the form's initial inputs. */
export function planFormDefaults(plan: PlanWithCharges): { values: FormValues; charges: ChargeDraft[] } {
  return {
    values: {
      code: plan.code,
      name: plan.name,
      description: plan.description ?? "",
      interval: plan.interval,
      amount: centsToDecimal(plan.amountCents).toFixed(2),
      currency: plan.currency,
      pay_in_advance: plan.payInAdvance ? "on" : "",
    },
    charges: plan.charges.map(chargeDraftOf),
  };
}
