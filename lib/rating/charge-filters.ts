/**
 * Charge filters (Lago's `charges[].filters`): a charge prices the events whose properties match one of its filters
 * with that filter's model properties, and every other event (and every pushed rollup, which has no properties) with
 * its own properties, the "default" bucket.
 *
 * Matching, as Lago does: a filter matches an event when, for each of its keys, the event's property of that key is one
 * of the filter's values (`__ALL_FILTER_VALUES__` stands for any value of the key). When several filters match, the
 * most specific one (the most keys) wins; between equally specific ones, the first in the charge's list. Each event so
 * counts in exactly one bucket. Event property values compare as text (a JSON number 12 matches "12").
 *
 * The same rule runs in PostgreSQL (lib/rating/event-summaries.ts, current usage and draft refresh) and here, in
 * JavaScript, for the period close's bulk-loaded events; tests check both give the same invoice.
 */
import type { Prisma } from "@/lib/generated/prisma/client";

export const ALL_FILTER_VALUES = "__ALL_FILTER_VALUES__";

export interface ChargeFilter {
  invoice_display_name: string | null;
  properties: Record<string, unknown>;
  values: Record<string, string[]>;
}

/** A metric's declared filters: the keys and values a charge filter may name. */
export interface MetricFilter {
  key: string;
  values: string[];
}

/** A stored charge's filters (validated when the charge was saved). */
export function storedChargeFilters(charge: { filters?: Prisma.JsonValue }): ChargeFilter[] {
  return Array.isArray(charge.filters) ? (charge.filters as unknown as ChargeFilter[]) : [];
}

export function storedMetricFilters(metric: { filters: Prisma.JsonValue }): MetricFilter[] {
  return Array.isArray(metric.filters) ? (metric.filters as unknown as MetricFilter[]) : [];
}

/** A property value as the filters compare it; null when the event has none (or a null, an object, an array). */
function propertyText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** The bucket an event's properties fall in: the index of the winning filter, or null for the default bucket. */
export function filterBucketOf(properties: unknown, filters: ChargeFilter[]): number | null {
  const props = typeof properties === "object" && properties !== null && !Array.isArray(properties) ? (properties as Record<string, unknown>) : {};
  let best: number | null = null;
  let bestKeys = -1;
  filters.forEach((filter, index) => {
    const entries = Object.entries(filter.values);
    const matches = entries.every(([key, values]) => {
      const text = propertyText(props[key]);
      return text !== null && (values.includes(text) || values.includes(ALL_FILTER_VALUES));
    });
    if (matches && entries.length > bestKeys) {
      best = index;
      bestKeys = entries.length;
    }
  });
  return best;
}

/** How a filter's line reads on the invoice: its display name, else the charge's name and the values it selects. */
export function filterLineName(chargeName: string, filter: ChargeFilter): string {
  if (filter.invoice_display_name) return filter.invoice_display_name;
  const values = Object.values(filter.values).flat().map((v) => (v === ALL_FILTER_VALUES ? "all" : v));
  return `${chargeName} — ${values.join(", ")}`;
}

/**
 * Checks a charge's filters against its metric's declared filters: every key must be one of the metric's, every value
 * one of that key's values (or `__ALL_FILTER_VALUES__`). Returns Lago-style error details (path → codes), empty when valid.
 */
export function chargeFilterErrors(filters: { values: Record<string, string[]> }[], metricFilters: MetricFilter[], path: string): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const declared = new Map(metricFilters.map((f) => [f.key, new Set(f.values)]));
  const seen = new Set<string>();
  filters.forEach((filter, index) => {
    const entries = Object.entries(filter.values);
    if (entries.length === 0) (errors[`${path}.${index}.values`] ??= []).push("value_is_mandatory");
    for (const [key, values] of entries) {
      const allowed = declared.get(key);
      if (!allowed) {
        (errors[`${path}.${index}.values.${key}`] ??= []).push("invalid_filter_key");
        continue;
      }
      if (values.length === 0 || values.some((v) => v !== ALL_FILTER_VALUES && !allowed.has(v))) {
        (errors[`${path}.${index}.values.${key}`] ??= []).push("invalid_filter_value");
      }
    }
    const signature = JSON.stringify(entries.map(([k, v]) => [k, [...v].sort()]).sort());
    if (seen.has(signature)) (errors[`${path}.${index}.values`] ??= []).push("value_already_exist");
    seen.add(signature);
  });
  return errors;
}
