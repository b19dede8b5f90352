import { markUsageWritten } from "@/lib/usage-monitoring/usage-marks";
import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import { DomainError, withConflictRetry } from "@/lib/errors";
import { inTransaction, type SqlPool } from "@/lib/db/sql";
import { decimal } from "@/lib/billing/decimal";
import { Prisma, type UsageEvent } from "@/lib/generated/prisma/client";
import { refuseUsage, resolveUsageTargets, type UsageMetric } from "./usage-targets";

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

const EVENT_COLUMNS = `id, "serviceId", "transactionId", "externalSubscriptionId", "subscriptionId", code, timestamp, properties,
  "preciseTotalAmountCents"::text AS "preciseTotalAmountCents", "createdAt"`;

type EventRow = Omit<UsageEvent, "preciseTotalAmountCents"> & { preciseTotalAmountCents: string | null };
const toEvent = (row: EventRow): UsageEvent => ({
  ...row,
  preciseTotalAmountCents: row.preciseTotalAmountCents === null ? null : new Prisma.Decimal(row.preciseTotalAmountCents),
});
const eventKey = (e: { externalSubscriptionId: string; transactionId: string }) => `${e.externalSubscriptionId}\u0000${e.transactionId}`;

type EventInsert = {
  id: string;
  transactionId: string;
  externalSubscriptionId: string;
  subscriptionId: string | null;
  code: string;
  timestamp: Date;
  properties: Record<string, unknown>;
  preciseTotalAmountCents: string | null;
};

/**
 * Stores events all or nothing. The checks take one query (subscriptions and metrics together); one event is then one
 * autocommitted INSERT … ON CONFLICT DO NOTHING, a batch one multi-row INSERT in a transaction. Only retried
 * transaction ids cost another query, to compare with what is stored.
 */
export async function ingestEvents(pool: SqlPool, serviceId: string, events: EventInput[]): Promise<IngestedEvent[]> {
  const { subscriptions, metrics } = await resolveUsageTargets(pool, serviceId, events.map((e) => e.externalSubscriptionId), events.map((e) => e.code));
  const errors: Record<string, Record<string, string[]>> = {};
  const add = (index: number, field: string, code: string) => ((errors[index] ??= {})[field] ??= []).push(code);
  const rows: EventInsert[] = events.map((event, index) => {
    const subscription = subscriptions.get(event.externalSubscriptionId);
    const metric = metrics.get(event.code);
    if (!subscription) add(index, "external_subscription_id", "subscription_not_found");
    else if (subscription.suspended) add(index, "external_subscription_id", "subscription_suspended");
    if (!metric) add(index, "code", "billable_metric_not_found");
    else {
      const problem = propertyProblem(metric, event.properties);
      if (problem) add(index, `properties.${metric.fieldName}`, problem);
    }
    return {
      id: randomUUID(),
      transactionId: event.transactionId,
      externalSubscriptionId: event.externalSubscriptionId,
      subscriptionId: subscription?.id ?? null,
      code: event.code,
      timestamp: event.timestamp,
      properties: event.properties,
      preciseTotalAmountCents: event.preciseTotalAmountCents ?? null,
    };
  });
  if (Object.keys(errors).length) {
    refuseUsage(errors, events.length, { batch: "Some events were refused; none of the batch was stored" });
  }

  // One insertion order for all batches, so overlapping concurrent batches never deadlock on the unique index.
  const ordered = [...rows].sort((a, b) => {
    const ka = eventKey(a);
    const kb = eventKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const store = async (db: Pick<SqlPool, "query">) => {
    const inserted = (await db.query<EventRow>(
      `INSERT INTO "UsageEvent" (id, "serviceId", "transactionId", "externalSubscriptionId", "subscriptionId", code, timestamp, properties, "preciseTotalAmountCents")
       SELECT e.id, $1::uuid, e.tx, e.ext, e.sub, e.code, e.ts, e.props, e.amount
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::timestamptz[], $8::jsonb[], $9::numeric[])
              AS e(id, tx, ext, sub, code, ts, props, amount)
       ON CONFLICT ("serviceId", "externalSubscriptionId", "transactionId") DO NOTHING
       RETURNING ${EVENT_COLUMNS}`,
      [
        serviceId,
        ordered.map((r) => r.id),
        ordered.map((r) => r.transactionId),
        ordered.map((r) => r.externalSubscriptionId),
        ordered.map((r) => r.subscriptionId),
        ordered.map((r) => r.code),
        ordered.map((r) => r.timestamp.toISOString()),
        ordered.map((r) => JSON.stringify(r.properties)),
        ordered.map((r) => r.preciseTotalAmountCents),
      ],
    )).rows.map(toEvent);
    const insertedIds = new Set(inserted.map((e) => e.id));
    const retried = rows.filter((r) => !insertedIds.has(r.id));
    const existing = retried.length
      ? (await db.query<EventRow>(
          `SELECT ${EVENT_COLUMNS} FROM "UsageEvent"
            WHERE "serviceId" = $1::uuid AND ("externalSubscriptionId", "transactionId") IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
          [serviceId, retried.map((r) => r.externalSubscriptionId), retried.map((r) => r.transactionId)],
        )).rows.map(toEvent)
      : [];
    const stored = new Map([...inserted, ...existing].map((e) => [eventKey(e), e]));
    const conflicts: Record<string, unknown> = {};
    const results = events.map((input, index) => {
      const event = stored.get(eventKey(input))!;
      const duplicate = !insertedIds.has(event.id) || rows.findIndex((r) => eventKey(r) === eventKey(input)) !== index;
      if (duplicate && !sameEvent(event, input)) {
        if (events.length === 1) conflicts.transaction_id = ["value_already_exist"];
        else conflicts[String(index)] = { transaction_id: ["value_already_exist"] };
      }
      return { event, duplicate };
    });
    if (Object.keys(conflicts).length) {
      // Inside the batch's transaction this rolls back what the batch inserted; a single event inserted nothing.
      throw new DomainError("invalid", "validation_errors", conflicts, "A transaction_id was reused for a different event");
    }
    return results;
  };
  const results = await withConflictRetry(() => (rows.length === 1 ? store(pool) : inTransaction(pool, store)));
  markUsageWritten(rows.map((r) => r.subscriptionId ?? ""));
  return results;
}

export async function findEvent(client: Db, serviceId: string, transactionId: string): Promise<UsageEvent | null> {
  return client.usageEvent.findFirst({ where: { serviceId, transactionId }, orderBy: { createdAt: "desc" } });
}
