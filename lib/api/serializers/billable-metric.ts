import type { BillableMetric } from "@/lib/generated/prisma/client";
import { AGGREGATION_TO_LAGO } from "@/lib/api/schemas/billable-metric";

export function serializeMetric(metric: BillableMetric, counts: { plans?: number } = {}) {
  return {
    lago_id: metric.id,
    name: metric.name,
    code: metric.code,
    description: metric.description,
    aggregation_type: AGGREGATION_TO_LAGO[metric.aggregation],
    weighted_interval: metric.aggregation === "weighted_sum" ? "seconds" : null,
    recurring: metric.recurring,
    rounding_function: metric.roundingFunction,
    rounding_precision: metric.roundingPrecision,
    created_at: metric.createdAt.toISOString(),
    field_name: metric.fieldName,
    expression: null,
    filters: metric.filters,
    active_subscriptions_count: 0,
    draft_invoices_count: 0,
    plans_count: counts.plans ?? 0,
  };
}
