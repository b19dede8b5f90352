import { markUsageWritten } from "@/lib/usage-monitoring/usage-marks";
import { randomUUID } from "node:crypto";
import { inTransaction, type SqlPool } from "@/lib/db/sql";
import { decimal } from "@/lib/billing/decimal";
import { DomainError, withConflictRetry } from "@/lib/errors";
import { periodContaining, type BillingPeriod } from "@/lib/billing/billing-periods";
import { scheduleOf } from "@/lib/subscriptions/billing-schedule";
import { refuseUsage, resolveUsageTargets, type UsageSubscription } from "./usage-targets";

/**
 * Whether a record's window lies inside one billing period of the subscription. The engine never splits a value
 * across periods by guesswork, so a window that straddles a period boundary is refused here rather than dropped later.
 */
function fitsOneBillingPeriod(subscription: UsageSubscription, start: Date, end: Date): boolean {
  if (!subscription.planInterval) return true;
  const cacheKey = `${subscription.id}|${subscription.planInterval}|${subscription.billingTime}|${subscription.billingAnchorDate.getTime()}|${subscription.timezone}`;
  let period = recentPeriods.get(cacheKey);
  if (!period || start < period.start || start >= period.end) {
    period = periodContaining(start, scheduleOf(subscription, { interval: subscription.planInterval }, subscription.timezone));
    if (recentPeriods.size >= 10_000) recentPeriods.clear();
    recentPeriods.set(cacheKey, period);
  }
  return end <= period.end;
}

/** The last period computed per subscription schedule; periods are pure functions of it, so reuse across requests is safe. */
const recentPeriods = new Map<string, BillingPeriod>();

/**
 * Aggregate usage pushed by an app (our preferred path): one value of a metric for a subscription over a period (or at
 * an instant). The value counts in the billing period that contains `periodStart`. The idempotency key is unique per
 * service: re-sending a record never double counts, and the same key with different content is a conflict.
 */
export interface UsageRecordInput {
  externalSubscriptionId: string;
  metricCode: string;
  periodStart: Date;
  periodEnd: Date;
  value: string;
  idempotencyKey: string;
}

export interface StoredUsageRecord {
  id: string;
  idempotencyKey: string;
  externalSubscriptionId: string;
  metricCode: string;
  periodStart: Date;
  periodEnd: Date;
  value: string;
  createdAt: Date;
  /** True when this key had been recorded already (a retry). */
  duplicate: boolean;
}

type InsertRow = { id: string; idempotencyKey: string; subscriptionId: string; billableMetricId: string; periodStart: Date; periodEnd: Date; value: string };
type Row = InsertRow & { createdAt: Date };
type RawRow = Omit<Row, "periodStart" | "periodEnd" | "createdAt"> & { periodStart: number; periodEnd: number; createdAt: number };
// Stored rows read back (retries): numeric(38,12) text carries trailing zeros, so the value is normalised.
const toRow = (r: RawRow): Row => ({ ...r, value: decimal(r.value).toString(), periodStart: new Date(r.periodStart), periodEnd: new Date(r.periodEnd), createdAt: new Date(r.createdAt) });

function sameContent(a: Pick<Row, "subscriptionId" | "billableMetricId" | "periodStart" | "periodEnd" | "value">, b: typeof a) {
  return (
    a.subscriptionId === b.subscriptionId &&
    a.billableMetricId === b.billableMetricId &&
    a.periodStart.getTime() === b.periodStart.getTime() &&
    a.periodEnd.getTime() === b.periodEnd.getTime() &&
    decimal(a.value).equals(decimal(b.value))
  );
}

/**
 * Records a batch atomically: every record is checked first (unknown subscription or metric → nothing is written), then
 * all are inserted in one statement inside a transaction; a conflicting key rolls the whole batch back.
 */
export async function recordUsage(pool: SqlPool, serviceId: string, records: UsageRecordInput[]): Promise<StoredUsageRecord[]> {
  const { subscriptions, metrics } = await resolveUsageTargets(pool, serviceId, records.map((r) => r.externalSubscriptionId), records.map((r) => r.metricCode));
  const errors: Record<string, Record<string, string[]>> = {};
  const rows = records.map((record, index) => {
    const subscription = subscriptions.get(record.externalSubscriptionId);
    const metric = metrics.get(record.metricCode);
    if (!subscription) (errors[index] ??= {}).external_subscription_id = ["subscription_not_found"];
    else if (subscription.suspended) (errors[index] ??= {}).external_subscription_id = ["subscription_suspended"];
    else if (!fitsOneBillingPeriod(subscription, record.periodStart, record.periodEnd)) {
      (errors[index] ??= {}).period_end = ["spans_billing_periods"];
    }
    if (!metric) (errors[index] ??= {}).code = ["billable_metric_not_found"];
    else if (metric.aggregation === "weighted_sum" && record.periodEnd.getTime() === record.periodStart.getTime()) {
      (errors[index] ??= {}).period_end = ["window_required_for_weighted_sum"];
    }
    return {
      id: randomUUID(),
      idempotencyKey: record.idempotencyKey,
      subscriptionId: subscription?.id ?? "",
      billableMetricId: metric?.id ?? "",
      periodStart: record.periodStart,
      periodEnd: record.periodEnd,
      value: record.value,
    };
  });
  if (Object.keys(errors).length) {
    refuseUsage(errors, records.length, {
      single: "The usage record cannot be counted as sent (window across billing periods, or no window for a weighted sum)",
      batch: "Some usage records were refused; none of the batch was stored",
    });
  }
  // Within one batch, a repeated key must repeat the same content.
  const firstByKey = new Map<string, (typeof rows)[number]>();
  for (const [index, row] of rows.entries()) {
    const first = firstByKey.get(row.idempotencyKey);
    if (!first) firstByKey.set(row.idempotencyKey, row);
    else if (!sameContent(first, row)) (errors[index] ??= {}).idempotency_key = ["idempotency_key_conflict"];
  }
  if (Object.keys(errors).length) throw new DomainError("conflict", "idempotency_key_conflict", errors, "An idempotency key was reused with a different value");
  // Inserting in key order gives concurrent batches one lock order, so overlapping batches never deadlock.
  const unique = [...firstByKey.values()].sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : a.idempotencyKey > b.idempotencyKey ? 1 : 0));

  const stored = await withConflictRetry(() => (unique.length === 1 ? insertOne(pool, serviceId, unique[0]) : insertRecords(pool, serviceId, unique)));
  const conflicts: Record<string, unknown> = {};
  for (const [key, { row }] of stored) {
    if (!sameContent(row, firstByKey.get(key)!)) {
      if (records.length === 1) conflicts.idempotency_key = ["idempotency_key_conflict"];
      else conflicts[String(rows.findIndex((r) => r.idempotencyKey === key))] = { idempotency_key: ["idempotency_key_conflict"] };
    }
  }
  if (Object.keys(conflicts).length) {
    throw new DomainError("conflict", "idempotency_key_conflict", conflicts, "This idempotency key was already used with a different value");
  }
  markUsageWritten(unique.map((r) => r.subscriptionId));

  return records.map((record, index) => {
    const { row, duplicate } = stored.get(record.idempotencyKey)!;
    // A key repeated inside the batch is a duplicate from its second occurrence on.
    const repeatedInBatch = firstByKey.get(record.idempotencyKey) !== rows[index];
    return {
      id: row.id,
      idempotencyKey: row.idempotencyKey,
      externalSubscriptionId: record.externalSubscriptionId,
      metricCode: record.metricCode,
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
      value: row.value,
      createdAt: row.createdAt,
      duplicate: duplicate || repeatedInBatch,
    };
  });
}

// Timestamps come back as epoch milliseconds: parsing thousands of timestamptz strings per batch is measurable.
const COLUMNS = `"id", "idempotencyKey", "subscriptionId", "billableMetricId", (extract(epoch FROM "periodStart") * 1000)::float8 AS "periodStart",
  (extract(epoch FROM "periodEnd") * 1000)::float8 AS "periodEnd", "value"::text AS "value", (extract(epoch FROM "createdAt") * 1000)::float8 AS "createdAt"`;

/**
 * Inserts the records in one transaction: a plain INSERT … ON CONFLICT DO NOTHING, then, for keys that were already
 * stored, a look at the stored rows. When one of them differs the transaction is rolled back, so a conflicting batch
 * writes nothing. Returns, per key, the stored row and whether it was there before.
 */
async function insertRecords(pool: SqlPool, serviceId: string, unique: readonly InsertRow[]) {
  return inTransaction(pool, async (tx) => {
    // Only the keys of new rows come back (everything else is what was sent); their createdAt is the transaction's now().
    const inserted = await tx.query<{ key: string; at: number }>(
      `INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
       SELECT r.id, $1::uuid, r.sub, r.metric, r.ps, r.pe, r.val, r.key
         FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::numeric[], $8::text[])
              AS r(id, sub, metric, ps, pe, val, key)
       ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING
       RETURNING "idempotencyKey" AS key, (extract(epoch FROM "createdAt") * 1000)::float8 AS at`,
      [
        serviceId,
        unique.map((r) => r.id),
        unique.map((r) => r.subscriptionId),
        unique.map((r) => r.billableMetricId),
        // ISO strings, not Dates: node-postgres formats Date parameters slowly (in local time), and batches carry thousands.
        unique.map((r) => r.periodStart.toISOString()),
        unique.map((r) => r.periodEnd.toISOString()),
        unique.map((r) => r.value),
        unique.map((r) => r.idempotencyKey),
      ],
    );
    const createdAt = new Date(inserted.rows[0]?.at ?? Date.now());
    const sent = new Map(unique.map((r) => [r.idempotencyKey, r]));
    const byKey = new Map<string, { row: Row; duplicate: boolean }>(
      inserted.rows.map(({ key }) => [key, { row: { ...sent.get(key)!, createdAt }, duplicate: false }]),
    );
    const retried = unique.filter((r) => !byKey.has(r.idempotencyKey)).map((r) => r.idempotencyKey);
    if (retried.length) {
      const existing = await tx.query<RawRow>(
        `SELECT ${COLUMNS} FROM "UsageRollup" WHERE "serviceId" = $1::uuid AND "idempotencyKey" = ANY($2::text[])`,
        [serviceId, retried],
      );
      for (const row of existing.rows.map(toRow)) byKey.set(row.idempotencyKey, { row, duplicate: true });
      const conflict = existing.rows.map(toRow).find((row) => !sameContent(row, sent.get(row.idempotencyKey)!));
      // Throwing rolls back what this batch inserted; the caller reports every conflicting key.
      if (conflict) throw new StoredConflict(byKey);
    }
    return byKey;
  }).catch((error) => {
    if (error instanceof StoredConflict) return error.rows;
    throw error;
  });
}

/**
 * One record: one autocommitted INSERT … ON CONFLICT DO NOTHING, atomic on its own, so no transaction is needed. Only a
 * retried key costs a second query, to read the stored row back and compare it.
 */
async function insertOne(pool: SqlPool, serviceId: string, row: InsertRow) {
  const inserted = await pool.query<{ at: number }>(
    `INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::timestamptz, $6::timestamptz, $7::numeric, $8)
     ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING
     RETURNING (extract(epoch FROM "createdAt") * 1000)::float8 AS at`,
    [row.id, serviceId, row.subscriptionId, row.billableMetricId, row.periodStart.toISOString(), row.periodEnd.toISOString(), row.value, row.idempotencyKey],
  );
  const byKey = new Map<string, { row: Row; duplicate: boolean }>();
  if (inserted.rows.length) {
    byKey.set(row.idempotencyKey, { row: { ...row, createdAt: new Date(inserted.rows[0].at) }, duplicate: false });
  } else {
    const existing = await pool.query<RawRow>(`SELECT ${COLUMNS} FROM "UsageRollup" WHERE "serviceId" = $1::uuid AND "idempotencyKey" = $2`, [serviceId, row.idempotencyKey]);
    for (const stored of existing.rows.map(toRow)) byKey.set(stored.idempotencyKey, { row: stored, duplicate: true });
  }
  return byKey;
}

/** Carries the stored rows out of a rolled-back transaction so the caller can name the conflicting keys. */
class StoredConflict extends Error {
  constructor(readonly rows: Map<string, { row: Row; duplicate: boolean }>) {
    super("idempotency key conflict");
  }
}
