import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import { DomainError, withConflictRetry } from "@/lib/errors";
import type { SqlPool } from "@/lib/db/sql";
import { decimal } from "@/lib/billing/decimal";
import { Prisma, type UsageEvent } from "@/lib/generated/prisma/client";
import { refuseUsage, resolveMetrics, resolveUsageSubscriptions, type UsageMetric } from "./usage-targets";

/**
 * Lago's raw usage events. Unlike Lago, problems are reported at once instead of the event being stored and silently
 * never billed: an unknown subscription or metric code, or an event missing the metric's numeric field, is refused.
 * Idempotency: `transaction_id` is unique per service and external subscription id. Re-sending the same event is
 * answered with the stored one (a safe retry); the same id with different content is 422 `value_already_exist`.
 */
export interface EventInput {
  transactionId: string;
  code: string;
  externalSubscriptionId: string;
  timestamp: Date;
  properties: Record<string, unknown>;
  preciseTotalAmountCents?: string | null;
}

export interface IngestedEvent {
  event: UsageEvent;
  duplicate: boolean;
}

const MAX_EVENT_VALUE = "1000000000000000";
const NUMERIC_AGGREGATIONS = new Set(["sum", "max", "last", "weighted_sum"]);

function propertyProblem(metric: UsageMetric, properties: Record<string, unknown>): string | null {
  if (metric.aggregation === "count" || !metric.fieldName) return null;
  const value = properties[metric.fieldName];
  if (value === undefined || value === null || value === "") return "missing_aggregation_property";
  if (NUMERIC_AGGREGATIONS.has(metric.aggregation)) {
    const numeric = typeof value === "number" ? Number.isFinite(value) : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim());
    if (!numeric) return "value_is_not_numeric";
    // The same bound as a usage record's value, so sums stay exact in Decimal(38,12).
    const amount = decimal(typeof value === "number" ? value : String(value).trim());
    if (amount.abs().gt(MAX_EVENT_VALUE) || amount.decimalPlaces() > 12) return "value_is_out_of_range";
  }
  return null;
}

/** Deep equality of JSON values, whatever the key order (PostgreSQL's jsonb reorders object keys). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => sameJson(item, (b as unknown[])[i]));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function sameEvent(stored: UsageEvent, input: EventInput): boolean {
  return stored.code === input.code && stored.timestamp.getTime() === input.timestamp.getTime() && sameJson(stored.properties, input.properties);
}

export async function ingestEvents(client: Db, pool: SqlPool, serviceId: string, events: EventInput[]): Promise<IngestedEvent[]> {
  const [subscriptions, metrics] = await Promise.all([
    resolveUsageSubscriptions(pool, serviceId, events.map((e) => e.externalSubscriptionId)),
    resolveMetrics(pool, events.map((e) => e.code)),
  ]);
  const errors: Record<string, Record<string, string[]>> = {};
  const add = (index: number, field: string, code: string) => ((errors[index] ??= {})[field] ??= []).push(code);
  const rows = events.map((event, index) => {
    const subscription = subscriptions.get(event.externalSubscriptionId);
    const metric = metrics.get(event.code);
    if (!subscription) add(index, "external_subscription_id", "subscription_not_found");
    if (!metric) add(index, "code", "billable_metric_not_found");
    else {
      const problem = propertyProblem(metric, event.properties);
      if (problem) add(index, `properties.${metric.fieldName}`, problem);
    }
    return {
      id: randomUUID(),
      serviceId,
      transactionId: event.transactionId,
      externalSubscriptionId: event.externalSubscriptionId,
      subscriptionId: subscription?.id ?? null,
      code: event.code,
      timestamp: event.timestamp,
      properties: event.properties as Prisma.InputJsonValue,
      preciseTotalAmountCents: event.preciseTotalAmountCents ? new Prisma.Decimal(event.preciseTotalAmountCents) : null,
    };
  });
  if (Object.keys(errors).length) {
    refuseUsage(errors, events.length, { batch: "Some events were refused; none of the batch was stored" });
  }

  // One insertion order for all batches, so overlapping concurrent batches never deadlock on the unique index.
  const ordered = [...rows].sort((a, b) => {
    const ka = `${a.externalSubscriptionId}\u0000${a.transactionId}`;
    const kb = `${b.externalSubscriptionId}\u0000${b.transactionId}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return withConflictRetry(() => client.$transaction(async (tx) => {
    const inserted = await tx.usageEvent.createManyAndReturn({ data: ordered, skipDuplicates: true });
    const insertedIds = new Set(inserted.map((e) => e.id));
    const retried = rows.filter((r) => !insertedIds.has(r.id));
    const existing = retried.length
      ? await tx.usageEvent.findMany({
          where: { serviceId, OR: retried.map((r) => ({ externalSubscriptionId: r.externalSubscriptionId, transactionId: r.transactionId })) },
        })
      : [];
    const key = (e: { externalSubscriptionId: string; transactionId: string }) => `${e.externalSubscriptionId}\u0000${e.transactionId}`;
    const stored = new Map([...inserted, ...existing].map((e) => [key(e), e]));
    const conflicts: Record<string, unknown> = {};
    const results = events.map((input, index) => {
      const event = stored.get(key(input))!;
      const duplicate = !insertedIds.has(event.id) || rows.findIndex((r) => key(r) === key(input)) !== index;
      if (duplicate && !sameEvent(event, input)) {
        if (events.length === 1) conflicts.transaction_id = ["value_already_exist"];
        else conflicts[String(index)] = { transaction_id: ["value_already_exist"] };
      }
      return { event, duplicate };
    });
    if (Object.keys(conflicts).length) {
      throw new DomainError("invalid", "validation_errors", conflicts, "A transaction_id was reused for a different event");
    }
    return results;
  }));
}

export async function findEvent(client: Db, serviceId: string, transactionId: string): Promise<UsageEvent | null> {
  return client.usageEvent.findFirst({ where: { serviceId, transactionId }, orderBy: { createdAt: "desc" } });
}
