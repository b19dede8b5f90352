import { CHARGE_MODEL_REGISTRY, CHARGE_MODELS, type ChargeModel } from "@/lib/billing/charge-models";

/**
 * The catalog's vocabulary, one list each: charge models, plan intervals, billing times and metric aggregations. The
 * API's zod schemas, the console forms and the rating engine import them from here; tests/unit/catalog-vocabulary.test.ts
 * checks them against the database enums. Browser-safe (no database code): the console's client components import it.
 */
export { CHARGE_MODELS, type ChargeModel };

export const CHARGE_MODEL_LABELS = Object.fromEntries(CHARGE_MODELS.map((m) => [m, CHARGE_MODEL_REGISTRY[m].label])) as Record<ChargeModel, string>;

export const PLAN_INTERVALS = ["weekly", "monthly", "quarterly", "semiannual", "yearly"] as const;
export type PlanInterval = (typeof PLAN_INTERVALS)[number];

export const BILLING_TIMES = ["calendar", "anniversary"] as const;
export type BillingTime = (typeof BILLING_TIMES)[number];

export const AGGREGATIONS = ["count", "sum", "max", "last", "unique_count", "weighted_sum"] as const;
export type AggregationType = (typeof AGGREGATIONS)[number];

/** Aggregations that may be recurring (their level carries over from one period to the next). */
export const RECURRING_AGGREGATIONS: readonly AggregationType[] = ["sum", "unique_count", "weighted_sum"];

/** Lago's aggregation names ↔ ours (the inbound API speaks Lago's). */
export const AGGREGATION_LAGO_NAMES: Record<AggregationType, string> = {
  count: "count_agg",
  sum: "sum_agg",
  max: "max_agg",
  unique_count: "unique_count_agg",
  weighted_sum: "weighted_sum_agg",
  last: "latest_agg",
};
