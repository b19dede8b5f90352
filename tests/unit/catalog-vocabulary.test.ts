import { describe, expect, it } from "vitest";
import { CHARGE_MODEL_REGISTRY, defaultChargeProperties, priceCharge, validateChargeProperties } from "@/lib/billing/charge-models";
import { decimal } from "@/lib/billing/decimal";
import { AGGREGATION_FROM_LAGO, AGGREGATION_TO_LAGO } from "@/lib/api/schemas/billable-metric";
import { AGGREGATIONS, BILLING_TIMES, CHARGE_MODEL_LABELS, CHARGE_MODELS, PLAN_INTERVALS, RECURRING_AGGREGATIONS } from "@/lib/catalog/vocabulary";
import { AggregationType, BillingTime, ChargeModel, PlanInterval } from "@/lib/generated/prisma/enums";
import { CHARGE_MODELS as FORM_CHARGE_MODELS } from "@/lib/console/forms/charge-draft";
import { AGGREGATIONS as FORM_AGGREGATIONS } from "@/lib/console/forms/metric-form";
import { PLAN_INTERVALS as FORM_INTERVALS } from "@/lib/console/forms/plan-form";

const sorted = (values: Iterable<string>) => [...values].sort();

describe("catalog vocabulary", () => {
  it("matches the database enums, value for value", () => {
    expect(sorted(CHARGE_MODELS)).toEqual(sorted(Object.values(ChargeModel)));
    expect(sorted(PLAN_INTERVALS)).toEqual(sorted(Object.values(PlanInterval)));
    expect(sorted(AGGREGATIONS)).toEqual(sorted(Object.values(AggregationType)));
    expect(sorted(BILLING_TIMES)).toEqual(sorted(Object.values(BillingTime)));
    for (const a of RECURRING_AGGREGATIONS) expect(AGGREGATIONS).toContain(a);
  });

  it("is the list the console forms and the API use (one list, not copies)", () => {
    expect(FORM_CHARGE_MODELS).toBe(CHARGE_MODELS);
    expect(FORM_AGGREGATIONS).toBe(AGGREGATIONS);
    expect(FORM_INTERVALS).toBe(PLAN_INTERVALS);
    expect(sorted(Object.values(AGGREGATION_FROM_LAGO))).toEqual(sorted(AGGREGATIONS));
    expect(AGGREGATION_TO_LAGO).toMatchObject({ count: "count_agg", last: "latest_agg", weighted_sum: "weighted_sum_agg" });
  });
});

describe("charge-model registry", () => {
  it("has one complete entry per charge model: label, defaults that validate, pricing", () => {
    expect(sorted(Object.keys(CHARGE_MODEL_REGISTRY))).toEqual(sorted(CHARGE_MODELS));
    for (const model of CHARGE_MODELS) {
      expect(CHARGE_MODEL_LABELS[model]).toBe(CHARGE_MODEL_REGISTRY[model].label);
      expect(CHARGE_MODEL_LABELS[model].length).toBeGreaterThan(0);
      const defaults = defaultChargeProperties(model);
      expect(validateChargeProperties(model, defaults)).toEqual({ valid: true, properties: defaults });
      // Lago's defaults price any usage at zero.
      const price = priceCharge({ model, properties: defaults }, { units: decimal(1234), eventsCount: 3, eventValues: [decimal(1000), decimal(200), decimal(34)] });
      expect(price.amountCents).toBe(0n);
      expect(price.breakdown.model).toBe(model);
    }
  });

  it("validates and prices through the registry entry of the model", () => {
    expect(validateChargeProperties("package", { amount: "x", package_size: 0, free_units: -1 })).toEqual({
      valid: false, errors: { amount: ["invalid_amount"], package_size: ["invalid_package_size"], free_units: ["invalid_free_units"] },
    });
    // 26 units, 5 free: 21 paid → 3 packages of 10 × $5.
    expect(priceCharge({ model: "package", properties: { amount: "5", package_size: 10, free_units: 5 } }, { units: decimal(26) }).amountCents).toBe(1500n);
    expect(() => defaultChargeProperties("dynamic" as never)).toThrow(RangeError);
  });
});
