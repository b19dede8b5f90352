import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import { DomainError, withConflictRetry } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { periodContaining, type BillingPeriod } from "@/lib/billing/billing-periods";
import { localDate } from "@/lib/billing/calendar-date";
import { resolveMetrics, resolveUsageSubscriptions, type UsageSubscription } from "./usage-targets";

/**
 * Whether a record's window lies inside one billing period of the subscription. The engine never splits a value
 * across periods by guesswork, so a window that straddles a period boundary is refused here rather than dropped later.
 */
function fitsOneBillingPeriod(subscription: UsageSubscription, start: Date, end: Date, cache: Map<string, BillingPeriod>): boolean {
  if (!subscription.plan) return true;
  let period = cache.get(subscription.id);
  if (!period || start < period.start || start >= period.end) {
    period = periodContaining(start, {
      interval: subscription.plan.interval,
      billingTime: subscription.billingTime,
      anchorDate: localDate(subscription.billingAnchorDate, subscription.customer.timezone),
      timezone: subscription.customer.timezone,
    });
    cache.set(subscription.id, period);
  }
  return end <= period.end;
}

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

type Row = { id: string; idempotencyKey: string; subscriptionId: string; billableMetricId: string; periodStart: Date; periodEnd: Date; value: string; createdAt: Date };

function sameContent(a: Pick<Row, "subscriptionId" | "billableMetricId" | "periodStart" | "periodEnd" | "value">, b: typeof a) {
  return (
    a.subscriptionId === b.subscriptionId &&
    a.billableMetricId === b.billableMetricId &&
    a.periodStart.getTime() === b.periodStart.getTime() &&
    a.periodEnd.getTime() === b.periodEnd.getTime() &&
    new Prisma.Decimal(a.value).equals(new Prisma.Decimal(b.value))
  );
}

/**
 * Records a batch atomically: every record is checked first (unknown subscription or metric → nothing is written), then
 * all are inserted in one statement inside a transaction; a conflicting key rolls the whole batch back.
 */
export async function recordUsage(client: Db, serviceId: string, records: UsageRecordInput[]): Promise<StoredUsageRecord[]> {
  const [subscriptions, metrics] = await Promise.all([
    resolveUsageSubscriptions(client, serviceId, records.map((r) => r.externalSubscriptionId)),
    resolveMetrics(client, records.map((r) => r.metricCode)),
  ]);
  const errors: Record<string, Record<string, string[]>> = {};
  const periods = new Map<string, BillingPeriod>();
  const rows = records.map((record, index) => {
    const subscription = subscriptions.get(record.externalSubscriptionId);
    const metric = metrics.get(record.metricCode);
    if (!subscription) (errors[index] ??= {}).external_subscription_id = ["subscription_not_found"];
    else if (!fitsOneBillingPeriod(subscription, record.periodStart, record.periodEnd, periods)) {
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
    if (records.length === 1) {
      const only = errors[0];
      if (only.external_subscription_id) throw new DomainError("not_found", "subscription_not_found");
      if (only.code) throw new DomainError("not_found", "billable_metric_not_found");
      throw new DomainError("invalid", "validation_errors", only, "The usage window crosses a billing period boundary; push one record per period");
    }
    throw new DomainError("invalid", "validation_errors", errors, "Some usage records name an unknown subscription or metric");
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

  const stored = await withConflictRetry(() => client.$transaction(async (tx) => {
    const inserted = await tx.$queryRaw<Row[]>`
      INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
      SELECT r.id, ${serviceId}::uuid, r.sub, r.metric, r.ps, r.pe, r.val, r.key
      FROM unnest(${unique.map((r) => r.id)}::uuid[], ${unique.map((r) => r.subscriptionId)}::uuid[], ${unique.map((r) => r.billableMetricId)}::uuid[],
                  ${unique.map((r) => r.periodStart)}::timestamptz[], ${unique.map((r) => r.periodEnd)}::timestamptz[],
                  ${unique.map((r) => r.value)}::numeric[], ${unique.map((r) => r.idempotencyKey)}::text[])
           AS r(id, sub, metric, ps, pe, val, key)
      ON CONFLICT ("serviceId", "idempotencyKey") DO NOTHING
      RETURNING "id", "idempotencyKey", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value"::text AS "value", "createdAt"`;
    const byKey = new Map(inserted.map((r) => [r.idempotencyKey, { row: r, duplicate: false }]));
    const missing = unique.filter((r) => !byKey.has(r.idempotencyKey)).map((r) => r.idempotencyKey);
    if (missing.length) {
      const existing = await tx.$queryRaw<Row[]>`
        SELECT "id", "idempotencyKey", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value"::text AS "value", "createdAt"
        FROM "UsageRollup" WHERE "serviceId" = ${serviceId}::uuid AND "idempotencyKey" = ANY(${missing}::text[])`;
      const conflicts: Record<string, unknown> = {};
      for (const row of existing) {
        if (!sameContent(row, firstByKey.get(row.idempotencyKey)!)) {
          if (records.length === 1) conflicts.idempotency_key = ["idempotency_key_conflict"];
          else conflicts[String(rows.findIndex((r) => r.idempotencyKey === row.idempotencyKey))] = { idempotency_key: ["idempotency_key_conflict"] };
        }
        byKey.set(row.idempotencyKey, { row, duplicate: true });
      }
      if (Object.keys(conflicts).length) {
        throw new DomainError("conflict", "idempotency_key_conflict", conflicts, "This idempotency key was already used with a different value");
      }
    }
    return byKey;
  }));

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
      value: new Prisma.Decimal(row.value).toString(),
      createdAt: row.createdAt,
      duplicate: duplicate || repeatedInBatch,
    };
  });
}
