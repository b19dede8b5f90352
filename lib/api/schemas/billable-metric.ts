import { AGGREGATION_LAGO_NAMES, AGGREGATIONS } from "@/lib/catalog/vocabulary";
import { z } from "zod";
import type { AggregationType } from "@/lib/generated/prisma/client";
import type { MetricInput } from "@/lib/catalog/billable-metrics";
import { catalogCode, optionalText } from "./common";

/** Lago's aggregation names ↔ ours. */
export const AGGREGATION_FROM_LAGO: Record<string, AggregationType> = Object.fromEntries(AGGREGATIONS.map((a) => [AGGREGATION_LAGO_NAMES[a], a]));
export const AGGREGATION_TO_LAGO = Object.fromEntries(Object.entries(AGGREGATION_FROM_LAGO).map(([k, v]) => [v, k])) as Record<AggregationType, string>;

const aggregationType = z.string().refine((v) => v in AGGREGATION_FROM_LAGO, "value_is_invalid");

const metricFields = {
  name: z.string().trim().min(1, "value_is_mandatory").max(255),
  code: catalogCode,
  description: optionalText(2000),
  aggregation_type: aggregationType,
  field_name: optionalText(),
  recurring: z.boolean().optional(),
  weighted_interval: z.literal("seconds").nullable().optional(),
  rounding_function: z.enum(["round", "ceil", "floor"]).nullable().optional(),
  rounding_precision: z.number().int().min(0).max(15).nullable().optional(),
  // Lago's expression language is not implemented: refusing it beats storing a formula that would never be applied.
  expression: z.string().nullable().optional().refine((v) => !v, "expression_not_supported"),
  // What charges may filter on (lib/rating/charge-filters.ts): each key once.
  filters: z.array(z.strictObject({ key: z.string().min(1).max(255), values: z.array(z.string().min(1).max(255)).min(1).max(100) })).max(50).optional()
    .refine((filters) => !filters || new Set(filters.map((f) => f.key)).size === filters.length, "value_already_exist"),
};

export const createMetricBody = z.strictObject(metricFields);
export const updateMetricBody = z.strictObject(metricFields).partial();

export function metricInputFrom(body: Partial<z.infer<typeof createMetricBody>>): Partial<MetricInput> {
  const input: Partial<MetricInput> = {};
  if (body.code !== undefined) input.code = body.code;
  if (body.name !== undefined) input.name = body.name;
  if (body.description !== undefined) input.description = body.description;
  if (body.aggregation_type !== undefined) input.aggregation = AGGREGATION_FROM_LAGO[body.aggregation_type];
  if (body.field_name !== undefined) input.fieldName = body.field_name;
  if (body.recurring !== undefined) input.recurring = body.recurring;
  if (body.rounding_function !== undefined) input.roundingFunction = body.rounding_function;
  if (body.rounding_precision !== undefined) input.roundingPrecision = body.rounding_precision;
  if (body.filters !== undefined) input.filters = body.filters;
  return input;
}
