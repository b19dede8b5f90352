import { markUsageWritten } from "@/lib/usage-monitoring/usage-marks";
import { randomUUID } from "node:crypto";
import { inTransaction, isDatabaseUnreachable, isPoolExhausted, namedStatement, PoolBusyError, POOL_LIMITS, type SqlPool } from "@/lib/db/sql";
import { decimal } from "@/lib/billing/decimal";
import { DomainError, withConflictRetry } from "@/lib/errors";
import { periodContaining, type BillingPeriod } from "@/lib/billing/billing-periods";
import { scheduleOf } from "@/lib/subscriptions/billing-schedule";
import type { PlanInterval } from "@/lib/catalog/vocabulary";
import { refuseUsage, resolveUsageTargets, usageMetricSql, usageSubscriptionFromJson, usageSubscriptionSql, type UsageMetric, type UsageSubscription } from "./usage-targets";

/**
 * Whether a record's window lies inside one billing period of the subscription. The engine never splits a value
 * across periods by guesswork, so a window that straddles a period boundary is refused here rather than dropped later.
 */
function fitsOneBillingPeriod(subscription: UsageSubscription, start: Date, end: Date, batchPeriods?: BatchPeriods): boolean {
  if (!subscription.planInterval) return true;
  // Within one batch the subscription read is fixed, so its last period can be kept by object, without a cache key.
  const startTime = start.getTime();
  const known = batchPeriods?.get(subscription);
  if (known && startTime >= known.start && startTime < known.end) return end.getTime() <= known.end;
  const period = cachedPeriod(subscription, subscription.planInterval, start);
  batchPeriods?.set(subscription, { start: period.start.getTime(), end: period.end.getTime() });
  return end <= period.end;
}

/** The last billing period met per subscription within one batch, as epoch milliseconds. */
type BatchPeriods = Map<UsageSubscription, { start: number; end: number }>;

/** The billing period of the subscription's schedule that contains `start`, from recentPeriods when it holds it. */
function cachedPeriod(subscription: UsageSubscription, interval: PlanInterval, start: Date): BillingPeriod {
  const cacheKey = `${subscription.id}|${interval}|${subscription.billingTime}|${subscription.billingAnchorDate.getTime()}|${subscription.timezone}`;
  let period = recentPeriods.get(cacheKey);
  if (!period || start < period.start || start >= period.end) {
    period = periodContaining(start, scheduleOf(subscription, { interval }, subscription.timezone));
    if (recentPeriods.size >= 10_000) recentPeriods.clear();
    recentPeriods.set(cacheKey, period);
  }
  return period;
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

/** Why a record cannot be stored on these targets (Lago's field codes), or null when it can. */
function recordProblems(
  record: UsageRecordInput,
  subscription: UsageSubscription | undefined,
  metric: UsageMetric | undefined,
  batchPeriods?: BatchPeriods,
): Record<string, string[]> | null {
  let problems: Record<string, string[]> | null = null;
  if (!subscription) (problems ??= {}).external_subscription_id = ["subscription_not_found"];
  else if (subscription.suspended) (problems ??= {}).external_subscription_id = ["subscription_suspended"];
  else if (!fitsOneBillingPeriod(subscription, record.periodStart, record.periodEnd, batchPeriods)) (problems ??= {}).period_end = ["spans_billing_periods"];
  if (!metric) (problems ??= {}).code = ["billable_metric_not_found"];
  else if (metric.aggregation === "weighted_sum" && record.periodEnd.getTime() === record.periodStart.getTime()) {
    (problems ??= {}).period_end = ["window_required_for_weighted_sum"];
  }
  return problems;
}

function refuseRecords(errors: Record<string, Record<string, string[]>>, recordCount: number): never {
  refuseUsage(errors, recordCount, {
    single: "The usage record cannot be counted as sent (window across billing periods, or no window for a weighted sum)",
    batch: "Some usage records were refused; none of the batch was stored",
  });
}

/**
 * Records usage. A batch is stored atomically: every record is checked first (unknown subscription or metric → nothing
 * is written), then all are inserted in one statement inside a transaction; a conflicting key rolls the whole batch
 * back. One record takes one statement (see recordOne).
 */
export async function recordUsage(pool: SqlPool, serviceId: string, records: UsageRecordInput[]): Promise<StoredUsageRecord[]> {
  if (records.length === 1) return [await recordOne(pool, serviceId, records[0])];
  return recordChecked(pool, serviceId, records);
}

/** The checks, then the write, as two statements: batches, and one record whose targets keep changing under it. */
async function recordChecked(pool: SqlPool, serviceId: string, records: UsageRecordInput[]): Promise<StoredUsageRecord[]> {
  const { subscriptions, metrics } = await resolveUsageTargets(pool, serviceId, records.map((r) => r.externalSubscriptionId), records.map((r) => r.metricCode));
  const errors: Record<string, Record<string, string[]>> = {};
  const batchPeriods: BatchPeriods = new Map();
  const rows: InsertRow[] = new Array(records.length);
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    const subscription = subscriptions.get(record.externalSubscriptionId);
    const metric = metrics.get(record.metricCode);
    const problems = recordProblems(record, subscription, metric, batchPeriods);
    if (problems) errors[index] = problems;
    rows[index] = {
      id: randomUUID(),
      idempotencyKey: record.idempotencyKey,
      subscriptionId: subscription?.id ?? "",
      billableMetricId: metric?.id ?? "",
      periodStart: record.periodStart,
      periodEnd: record.periodEnd,
      value: record.value,
    };
  }
  if (Object.keys(errors).length) refuseRecords(errors, records.length);
  // Within one batch, a repeated key must repeat the same content.
  const firstByKey = new Map<string, InsertRow>();
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index];
    const first = firstByKey.get(row.idempotencyKey);
    if (!first) firstByKey.set(row.idempotencyKey, row);
    else if (!sameContent(first, row)) (errors[index] ??= {}).idempotency_key = ["idempotency_key_conflict"];
  }
  if (Object.keys(errors).length) throw new DomainError("conflict", "idempotency_key_conflict", errors, "An idempotency key was reused with a different value");
  // Inserting in key order gives concurrent batches one lock order, so overlapping batches never deadlock.
  const unique = [...firstByKey.values()].sort((a, b) => compareKeys(a.idempotencyKey, b.idempotencyKey));

  const { createdAt, storedBefore } = await withConflictRetry(() => (unique.length === 1 ? insertOne(pool, serviceId, unique[0]) : insertRecords(pool, serviceId, unique)));
  const conflicts: Record<string, unknown> = {};
  for (const [key, row] of storedBefore) {
    // A row inserted now is what was sent; only stored ones (retries) can differ.
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
    const first = firstByKey.get(record.idempotencyKey)!;
    const stored = storedBefore.get(record.idempotencyKey);
    const row = stored ?? first;
    return {
      id: row.id,
      idempotencyKey: row.idempotencyKey,
      externalSubscriptionId: record.externalSubscriptionId,
      metricCode: record.metricCode,
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
      value: row.value,
      createdAt: stored ? stored.createdAt : createdAt,
      // A key stored before is a retry; a key repeated inside the batch is a duplicate from its second occurrence on.
      duplicate: stored !== undefined || first !== rows[index],
    };
  });
}

/**
 * The targets (subscription, metric) the last push of an external subscription id and metric code resolved to, per
 * service. Only an expectation: recordOne's statement resolves the targets again and writes only if they still match,
 * so a stale entry costs one more round trip, never a record on the wrong subscription.
 */
const lastTargets = new Map<string, { subscription: UsageSubscription; metric: UsageMetric }>();
const LAST_TARGETS_LIMIT = 10_000;

/**
 * Single records in one statement, for every push waiting at that moment (see pushWriter): each row resolves its
 * subscription and metric as recordChecked does and is inserted (INSERT … ON CONFLICT DO NOTHING; the statement is
 * atomic) only when they are the targets its record was checked against (the expected ids and the fields
 * recordProblems reads). Each row comes back with the targets found, whether they were those (`expected`) and, when it
 * was inserted now, its createdAt.
 * Rows go in idempotency-key order, the lock order of the batch path.
 */
const recordPushesStatement = namedStatement(
  "usage_rollup_record_pushes",
  `WITH input AS (
     SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::numeric[], $9::text[],
                          $10::uuid[], $11::uuid[], $12::text[], $13::text[], $14::timestamptz[], $15::text[], $16::text[])
       AS i(n, id, service, ext, code, ps, pe, val, key, x_sub, x_met, x_agg, x_time, x_anchor, x_interval, x_zone)
   ), found AS (
     SELECT i.*, sub.j AS sub_json, sub.id AS sub_id, met.j AS met_json, met.id AS met_id,
            (sub.id = i.x_sub AND met.id = i.x_met AND NOT sub.suspended AND met.aggregation = i.x_agg AND sub."billingTime"::text = i.x_time
             AND sub."billingAnchorDate" = i.x_anchor AND sub."planInterval"::text IS NOT DISTINCT FROM i.x_interval AND sub.timezone = i.x_zone) AS expected
       FROM input i
       LEFT JOIN LATERAL (SELECT row_to_json(x) AS j, x.* FROM (${usageSubscriptionSql("i.service", "i.ext")}) x) sub ON true
       LEFT JOIN LATERAL (SELECT row_to_json(x) AS j, x.* FROM (${usageMetricSql("i.code")}) x) met ON true
   ), ins AS (
     INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
     SELECT f.id, f.service, f.sub_id, f.met_id, f.ps, f.pe, f.val, f.key FROM found f WHERE f.expected
     ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING
     RETURNING "id", (extract(epoch FROM "createdAt") * 1000)::float8 AS at
   )
   SELECT f.n, f.sub_json AS subscription, f.met_json AS metric, COALESCE(f.expected, false) AS expected, ins.at FROM found f LEFT JOIN ins ON ins.id = f.id ORDER BY f.n`,
);

type TargetsRow = { subscription: UsageSubscription; metric: UsageMetric };
/** `expected`: the statement found the targets its record was checked against (and so wrote it, unless stored before). */
type FoundRow = { at: number | null; expected: boolean; subscription: (Omit<UsageSubscription, "billingAnchorDate"> & { billingAnchorDate: string }) | null; metric: UsageMetric | null };
interface Push {
  serviceId: string;
  record: UsageRecordInput;
  id: string;
  checked: TargetsRow | null;
  queuedAt: number;
  resolve(row: FoundRow): void;
  reject(error: unknown): void;
}

/**
 * Writes single pushes: at most WRITERS statements at once, each carrying every push that came in while the previous
 * ones ran (up to GROUP_LIMIT). An idle server sends each push on its own at once; a busy one sends them in groups, one
 * round trip and one hour-totals trigger per group instead of per push. A push that waited longer than the pool's
 * bounded wait is refused as server_busy (503), as the pool would.
 */
class PushWriter {
  private queue: Push[] = [];
  private running = 0;
  private scheduled = false;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: () => SqlPool,
    private readonly writers: number,
  ) {}

  write(serviceId: string, record: UsageRecordInput, checked: TargetsRow | null): Promise<{ id: string; found: FoundRow }> {
    return new Promise((resolve, reject) => {
      const id = randomUUID();
      this.queue.push({ serviceId, record, id, checked, queuedAt: performance.now(), resolve: (found) => resolve({ id, found }), reject });
      this.schedule();
      this.sweepLater();
    });
  }

  /** Refuses, as the pool would, the pushes still queued past the bounded wait (every writer stuck, e.g. on a lock). */
  private sweepLater(): void {
    if (this.sweeper || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0].queuedAt + POOL_LIMITS.waitMs - performance.now());
    this.sweeper = setTimeout(() => {
      this.sweeper = null;
      const now = performance.now();
      const late = this.queue.filter((p) => waitedTooLong(p, now));
      if (late.length) this.queue = this.queue.filter((p) => !waitedTooLong(p, now));
      for (const push of late) push.reject(new PoolBusyError());
      this.sweepLater();
    }, wait + 1);
    this.sweeper.unref?.();
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.writers || this.queue.length === 0) return;
    this.scheduled = true;
    // The pushes that arrive during this turn of the event loop join the group.
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.writers && this.queue.length) {
        const group = this.queue.splice(0, GROUP_LIMIT);
        this.running++;
        void this.send(group).finally(() => {
          this.running--;
          this.schedule();
        });
      }
    });
  }

  private async send(pushes: Push[]): Promise<void> {
    const now = performance.now();
    const late = pushes.filter((p) => waitedTooLong(p, now));
    for (const push of late) push.reject(new PoolBusyError());
    const group = pushes.filter((p) => !waitedTooLong(p, now)).sort((a, b) => compareKeys(a.record.idempotencyKey, b.record.idempotencyKey));
    if (group.length === 0) return;
    try {
      const { rows } = await withConflictRetry(() => this.pool().query<FoundRow & { n: number }>(recordPushesStatement(pushParameters(group))));
      const answered = new Set<number>();
      for (const row of rows) {
        answered.add(row.n);
        group[row.n].resolve(row);
      }
      for (const [n, push] of group.entries()) if (!answered.has(n)) push.reject(new Error("the usage statement returned no row for a push"));
    } catch (error) {
      // One bad row must not fail the pushes it was grouped with: alone, each meets only its own fate.
      if (group.length > 1 && !isPoolExhausted(error) && !isDatabaseUnreachable(error)) {
        await Promise.all(group.map((push) => this.send([{ ...push, queuedAt: performance.now() }])));
      } else for (const push of group) push.reject(error);
    }
  }
}

const GROUP_LIMIT = 500;

/** A push queued for the pool's bounded wait or longer is refused (server_busy), as the pool refuses a connection request. */
const waitedTooLong = (push: Push, now: number) => now - push.queuedAt >= POOL_LIMITS.waitMs;
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function pushParameters(group: Push[]): unknown[] {
  const column = <T>(pick: (push: Push) => T) => group.map(pick);
  return [
    group.map((_, n) => n),
    column((p) => p.id),
    column((p) => p.serviceId),
    column((p) => p.record.externalSubscriptionId),
    column((p) => p.record.metricCode),
    column((p) => p.record.periodStart.toISOString()),
    column((p) => p.record.periodEnd.toISOString()),
    column((p) => p.record.value),
    column((p) => p.record.idempotencyKey),
    column((p) => p.checked?.subscription.id ?? null),
    column((p) => p.checked?.metric.id ?? null),
    column((p) => p.checked?.metric.aggregation ?? null),
    column((p) => p.checked?.subscription.billingTime ?? null),
    column((p) => p.checked?.subscription.billingAnchorDate.toISOString() ?? null),
    column((p) => p.checked?.subscription.planInterval ?? null),
    column((p) => p.checked?.subscription.timezone ?? null),
  ];
}

const holder = globalThis as typeof globalThis & { nexaUsagePushWriter?: PushWriter };

/** The process's writer of single pushes, on the process's pool (on globalThis: one per process, whichever bundle asks). */
function pushWriter(pool: SqlPool): PushWriter {
  return (holder.nexaUsagePushWriter ??= new PushWriter(() => pool, Math.max(1, Math.floor(POOL_LIMITS.max / 2))));
}

/**
 * One record in (usually) one round trip, shared with the pushes written at the same moment: checked against the
 * targets its key resolved to last time, then written by a statement that writes it only if the targets are still
 * those. Unknown, changed or refused targets cost one more round trip; a retried key (ON CONFLICT) one more, to compare
 * it with the stored row.
 */
async function recordOne(pool: SqlPool, serviceId: string, record: UsageRecordInput): Promise<StoredUsageRecord> {
  const cacheKey = `${serviceId}\u0000${record.externalSubscriptionId}\u0000${record.metricCode}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const expected = lastTargets.get(cacheKey);
    const checked = expected && !recordProblems(record, expected.subscription, expected.metric) ? expected : null;
    const { id, found } = await pushWriter(pool).write(serviceId, record, checked);
    const subscription = found.subscription ? usageSubscriptionFromJson(found.subscription) : undefined;
    const metric = found.metric ?? undefined;
    if (!subscription || !metric) lastTargets.delete(cacheKey);
    else {
      if (lastTargets.size >= LAST_TARGETS_LIMIT) lastTargets.clear();
      lastTargets.set(cacheKey, { subscription, metric });
    }
    if (!found.expected || !subscription || !metric) {
      // Checked against other targets than the statement found: check against these, and send again if they pass.
      const problems = recordProblems(record, subscription, metric);
      if (problems) refuseRecords({ 0: problems }, 1);
      continue;
    }
    const row = { id, idempotencyKey: record.idempotencyKey, subscriptionId: subscription.id, billableMetricId: metric.id, periodStart: record.periodStart, periodEnd: record.periodEnd, value: record.value };
    let stored: { row: Row; duplicate: boolean };
    if (found.at !== null) stored = { row: { ...row, createdAt: new Date(found.at) }, duplicate: false };
    else {
      // The key was stored before: a retry when the stored row says the same, a conflict otherwise.
      const existing = await pool.query<RawRow>(selectStoredKey([serviceId, record.idempotencyKey]));
      if (existing.rows.length === 0) continue;
      stored = { row: toRow(existing.rows[0]), duplicate: true };
      if (!sameContent(stored.row, row)) {
        throw new DomainError("conflict", "idempotency_key_conflict", { idempotency_key: ["idempotency_key_conflict"] }, "This idempotency key was already used with a different value");
      }
    }
    markUsageWritten([subscription.id]);
    return {
      id: stored.row.id,
      idempotencyKey: stored.row.idempotencyKey,
      externalSubscriptionId: record.externalSubscriptionId,
      metricCode: record.metricCode,
      periodStart: stored.row.periodStart,
      periodEnd: stored.row.periodEnd,
      value: stored.row.value,
      createdAt: stored.row.createdAt,
      duplicate: stored.duplicate,
    };
  }
  // Targets changing on every attempt (a subscription being replaced right now): the two-statement path decides.
  const [stored] = await recordChecked(pool, serviceId, [record]);
  return stored;
}

// Timestamps come back as epoch milliseconds: parsing thousands of timestamptz strings per batch is measurable.
const COLUMNS = `"id", "idempotencyKey", "subscriptionId", "billableMetricId", (extract(epoch FROM "periodStart") * 1000)::float8 AS "periodStart",
  (extract(epoch FROM "periodEnd") * 1000)::float8 AS "periodEnd", "value"::text AS "value", (extract(epoch FROM "createdAt") * 1000)::float8 AS "createdAt"`;

const selectStoredKey = namedStatement("usage_rollup_stored_key", `SELECT ${COLUMNS} FROM "UsageRollup" WHERE "serviceId" = $1::uuid AND "idempotencyKey" = $2::text`);
const selectStoredKeys = namedStatement("usage_rollup_stored_keys", `SELECT ${COLUMNS} FROM "UsageRollup" WHERE "serviceId" = $1::uuid AND "idempotencyKey" = ANY($2::text[])`);
/**
 * A batch's rows in one INSERT … ON CONFLICT DO NOTHING. Rows name their subscription, metric and instants by position
 * in short arrays of the distinct values ($3–$5, 1-based): a batch names a few subscriptions and instants a thousand
 * times, and sending each once spares encoding, sending and parsing them per row. One row comes back: how many were
 * inserted, their createdAt (the transaction's now(), the same for all) and, only when some keys were stored before,
 * the inserted keys.
 */
const insertBatch = namedStatement(
  "usage_rollup_insert_batch_indexed",
  `WITH ins AS (
     INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
     SELECT r.id, $1::uuid, ($3::uuid[])[r.sub], ($4::uuid[])[r.metric], ($5::timestamptz[])[r.ps], ($5::timestamptz[])[r.pe], r.val, r.key
       FROM unnest($2::uuid[], $6::int[], $7::int[], $8::int[], $9::int[], $10::numeric[], $11::text[]) AS r(id, sub, metric, ps, pe, val, key)
     ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING
     RETURNING "idempotencyKey" AS key, "createdAt")
   SELECT count(*)::int AS inserted, (extract(epoch FROM min("createdAt")) * 1000)::float8 AS at,
          CASE WHEN count(*) < cardinality($11::text[]) THEN array_agg(key) END AS keys
     FROM ins`,
);
const insertSingle = namedStatement(
  "usage_rollup_insert_one",
  `INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
   VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5::timestamptz, $6::timestamptz, $7::numeric, $8::text)
   ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING
   RETURNING (extract(epoch FROM "createdAt") * 1000)::float8 AS at`,
);

/** What a write found: when rows inserted now were created, and the rows of keys that were stored before (retries). */
interface WriteOutcome {
  createdAt: Date;
  storedBefore: Map<string, Row>;
}

/**
 * Inserts the records in one transaction: a plain INSERT … ON CONFLICT DO NOTHING, then, for keys that were already
 * stored, a look at the stored rows. When one of them differs the transaction is rolled back, so a conflicting batch
 * writes nothing.
 */
async function insertRecords(pool: SqlPool, serviceId: string, unique: readonly InsertRow[]): Promise<WriteOutcome> {
  return inTransaction(pool, async (tx) => {
    const inserted = await tx.query<{ inserted: number; at: number | null; keys: string[] | null }>(insertBatch(batchParameters(serviceId, unique)));
    const { inserted: count, at, keys } = inserted.rows[0];
    const createdAt = new Date(at ?? Date.now());
    const storedBefore = new Map<string, Row>();
    // Keys not inserted now were stored before. (With none inserted, array_agg over no rows leaves keys null.)
    if (count < unique.length) {
      const insertedNow = new Set(keys ?? []);
      const retried = unique.filter((r) => !insertedNow.has(r.idempotencyKey)).map((r) => r.idempotencyKey);
      const existing = await tx.query<RawRow>(selectStoredKeys([serviceId, retried]));
      for (const raw of existing.rows) storedBefore.set(raw.idempotencyKey, toRow(raw));
      if (storedBefore.size !== retried.length) throw new Error("a usage key neither inserted nor stored");
      // Throwing rolls back what this batch inserted; the caller reports every conflicting key.
      const sent = new Map(unique.map((r) => [r.idempotencyKey, r]));
      for (const [key, row] of storedBefore) if (!sameContent(row, sent.get(key)!)) throw new StoredConflict({ createdAt, storedBefore });
    }
    return { createdAt, storedBefore };
  }).catch((error) => {
    if (error instanceof StoredConflict) return error.outcome;
    throw error;
  });
}

/**
 * The parameters of insertBatch. Array parameters go as array literals built here: ids and indexes need no quoting,
 * and node-postgres would otherwise quote and escape each of the thousands of elements on its own.
 */
function batchParameters(serviceId: string, rows: readonly InsertRow[]): unknown[] {
  const subscriptions = new Map<string, number>();
  const metrics = new Map<string, number>();
  const instants = new Map<number, number>();
  const instantTexts: string[] = [];
  const position = (map: Map<string, number>, value: string) => {
    let n = map.get(value);
    if (n === undefined) map.set(value, (n = map.size + 1));
    return n;
  };
  const instant = (date: Date) => {
    const time = date.getTime();
    let n = instants.get(time);
    if (n === undefined) {
      instants.set(time, (n = instants.size + 1));
      instantTexts.push(date.toISOString());
    }
    return n;
  };
  let ids = "";
  let subscriptionNs = "";
  let metricNs = "";
  let starts = "";
  let ends = "";
  let values = "";
  let keys = "";
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const comma = i === 0 ? "" : ",";
    ids += comma + row.id;
    subscriptionNs += comma + position(subscriptions, row.subscriptionId);
    metricNs += comma + position(metrics, row.billableMetricId);
    starts += comma + instant(row.periodStart);
    ends += comma + instant(row.periodEnd);
    values += comma + row.value;
    keys += comma + arrayElementText(row.idempotencyKey);
  }
  return [
    serviceId,
    `{${ids}}`,
    `{${[...subscriptions.keys()].join(",")}}`,
    `{${[...metrics.keys()].join(",")}}`,
    `{${instantTexts.join(",")}}`,
    `{${subscriptionNs}}`,
    `{${metricNs}}`,
    `{${starts}}`,
    `{${ends}}`,
    `{${values}}`,
    `{${keys}}`,
  ];
}

const ARRAY_QUOTED = /["\\]/g;
/** A text as an element of a PostgreSQL array literal: double-quoted, with `"` and `\` escaped. */
function arrayElementText(text: string): string {
  return `"${text.includes('"') || text.includes("\\") ? text.replace(ARRAY_QUOTED, "\\$&") : text}"`;
}

/**
 * One record: one autocommitted INSERT … ON CONFLICT DO NOTHING, atomic on its own, so no transaction is needed. Only a
 * retried key costs a second query, to read the stored row back and compare it.
 */
async function insertOne(pool: SqlPool, serviceId: string, row: InsertRow): Promise<WriteOutcome> {
  const inserted = await pool.query<{ at: number }>(
    insertSingle([row.id, serviceId, row.subscriptionId, row.billableMetricId, row.periodStart.toISOString(), row.periodEnd.toISOString(), row.value, row.idempotencyKey]),
  );
  const storedBefore = new Map<string, Row>();
  if (inserted.rows.length) return { createdAt: new Date(inserted.rows[0].at), storedBefore };
  const existing = await pool.query<RawRow>(selectStoredKey([serviceId, row.idempotencyKey]));
  for (const stored of existing.rows) storedBefore.set(stored.idempotencyKey, toRow(stored));
  if (storedBefore.size === 0) throw new Error("a usage key neither inserted nor stored");
  return { createdAt: storedBefore.get(row.idempotencyKey)!.createdAt, storedBefore };
}

/** Carries the stored rows out of a rolled-back transaction so the caller can name the conflicting keys. */
class StoredConflict extends Error {
  constructor(readonly outcome: WriteOutcome) {
    super("idempotency key conflict");
  }
}
