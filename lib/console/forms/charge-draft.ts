/**
 * A plan charge as the console's plan form edits it: every input is a string, as typed. The plan form's schema
 * (plan-form.ts) turns drafts into charges; this module stays free of it so the browser can build drafts.
 */
import { CHARGE_MODEL_LABELS, CHARGE_MODELS, type ChargeModel } from "@/lib/catalog/vocabulary";

export { CHARGE_MODEL_LABELS, CHARGE_MODELS };
export type ChargeModelName = ChargeModel;

/** One tier: its upper bound (empty on the last, open tier); its lower bound follows from the tier before. */
export interface TierDraft {
  to_value: string;
  per_unit_amount: string;
  flat_amount: string;
}

export interface ChargeDraft {
  /** The charge being edited; absent for a new one. */
  id?: string;
  billable_metric_id: string;
  charge_model: ChargeModelName;
  included_quantity: string;
  /** Inputs of every model, so switching model keeps what was typed; only the chosen model's are sent on. */
  properties: {
    amount: string;
    package_size: string;
    free_units: string;
    rate: string;
    fixed_amount: string;
    tiers: TierDraft[];
  };
}

export const openTier = (): TierDraft => ({ to_value: "", per_unit_amount: "", flat_amount: "0" });

export function emptyChargeDraft(billableMetricId = ""): ChargeDraft {
  return {
    billable_metric_id: billableMetricId,
    charge_model: "standard",
    included_quantity: "0",
    properties: { amount: "", package_size: "1", free_units: "0", rate: "", fixed_amount: "", tiers: [openTier()] },
  };
}

/** Lower bound of each tier: 0, then one above the previous tier's upper bound (Lago's classic ranges). */
export function tierLowerBounds(tiers: readonly TierDraft[]): (number | null)[] {
  const bounds: (number | null)[] = [];
  tiers.forEach((_, index) => {
    if (index === 0) return bounds.push(0);
    const previous = tiers[index - 1].to_value.trim();
    bounds.push(/^\d+$/.test(previous) ? Number(previous) + 1 : null);
  });
  return bounds;
}
