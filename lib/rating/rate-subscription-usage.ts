import type { Db } from "@/lib/db/prisma";
import { aggregateUsage, type EventSummary, type UsageAggregate } from "@/lib/billing/aggregation";
import { priceCharge, type ChargePrice, type PricedCharge } from "@/lib/billing/charge-models";
import { decimal } from "@/lib/billing/decimal";
import type { BillableMetric, Charge, Prisma } from "@/lib/generated/prisma/client";
import { filterBucketOf, storedChargeFilters, type ChargeFilter } from "./charge-filters";
import { loadEventSummaries, summaryKey, type SummarizedMetric } from "./event-summaries";

export type ChargeWithMetric = Charge & { billableMetric: BillableMetric };

export interface RatedCharge {
  charge: ChargeWithMetric;
  aggregate: UsageAggregate;
  price: ChargePrice;
  /** For a charge with filters, which bucket this is: one of its filters (index in the charge's list), or its default
   *  bucket (index null: the events no filter matched, and pushed rollups). Null for a charge without filters. */
  filter: { index: number | null; filter: ChargeFilter | null } | null;
}

export interface RatingWindow {
  start: Date;
  /** Exclusive. */
  end: Date;
}

export interface UsageEventRow {
  subscriptionId: string | null;
  transactionId: string;
  timestamp: Date;
  properties: Prisma.JsonValue;
  code: string;
}

export interface UsageRollupRow {
  subscriptionId: string;
  billableMetricId: string;
  periodStart: Date;
  periodEnd: Date;
  value: { toString(): string };
}

/** The charges that price a subscription: its plan's, plus any attached to the subscription itself (shadow imports). */
export async function chargesOfSubscription(client: Db | Prisma.TransactionClient, subscription: { id: string; planId: string | null }): Promise<ChargeWithMetric[]> {
  return client.charge.findMany({
    where: {
      deletedAt: null,
      OR: [{ subscriptionId: subscription.id }, ...(subscription.planId ? [{ planId: subscription.planId }] : [])],
    },
    include: { billableMetric: true },
    orderBy: [{ position: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
}

/** A stored charge as the pricing module takes it; its properties were validated for its model when it was saved. A
 *  filter's bucket is priced with the filter's properties (a charge with filters has no included quantity nor minimum). */
export function toPricedCharge(charge: Charge, filter: ChargeFilter | null = null): PricedCharge {
  return {
    model: charge.chargeModel,
    properties: filter ? filter.properties : charge.properties,
    includedQuantity: decimal(charge.includedQuantity.toString()),
    minAmountCents: charge.minAmountCents,
  } as unknown as PricedCharge;
}

/** The key a charge's events are summarised under: its metric's code, or its own when it has filters. */
function summaryKeyOf(charge: Charge & { billableMetric: BillableMetric }): string {
  return storedChargeFilters(charge).length ? `charge:${charge.id}` : charge.billableMetric.code;
}

/**
 * Prices charges from usage already loaded (pure). Recurring metrics are given the subscription's earlier events too,
 * which open the period's level; rollups count in the window that contains their start.
 */
export function rateLoadedUsage(
  charges: ChargeWithMetric[],
  events: UsageEventRow[],
  rollups: UsageRollupRow[],
  window: RatingWindow,
  options: { minimumProration?: string; eventSummaries?: Map<string, EventSummary>; eventsBilledInAdvance?: boolean } = {},
): RatedCharge[] {
  return charges.flatMap((charge) => {
    const metric = charge.billableMetric;
    // A pay-in-advance charge's events were each invoiced when they came (lib/invoicing/advance-charges.ts): only its
    // usage records (rollups) are left for the period close.
    const skipEvents = options.eventsBilledInAdvance === true && charge.payInAdvance;
    const metricEvents = skipEvents ? [] : events.filter((e) => e.code === metric.code && e.timestamp < window.end && (metric.recurring || e.timestamp >= window.start));
    const metricRollups = rollups.filter((r) => r.billableMetricId === metric.id && r.periodStart >= window.start && r.periodStart < window.end);
    const rate = (eventSummary: EventSummary | undefined, bucketEvents: UsageEventRow[], bucketRollups: UsageRollupRow[], filter: RatedCharge["filter"]): RatedCharge => {
      const aggregate = aggregateUsage({
        eventSummary,
        metric: {
          aggregation: metric.aggregation,
          fieldName: metric.fieldName,
          recurring: metric.recurring,
          roundingFunction: metric.roundingFunction as "round" | "ceil" | "floor" | null,
          roundingPrecision: metric.roundingPrecision,
        },
        period: window,
        events: eventSummary ? [] : bucketEvents.map((e) => ({ transactionId: e.transactionId, timestamp: e.timestamp, properties: e.properties as Record<string, unknown> })),
        rollups: bucketRollups.map((r) => ({ periodStart: r.periodStart, periodEnd: r.periodEnd, value: decimal(r.value.toString()) })),
      });
      const price = priceCharge(
        toPricedCharge(charge, filter?.filter ?? null),
        { units: aggregate.units, eventsCount: aggregate.eventsCount, eventValues: aggregate.eventValues },
        options.minimumProration ? { minimumProration: decimal(options.minimumProration) } : {},
      );
      return { charge, aggregate, price, filter };
    };
    const filters = storedChargeFilters(charge);
    if (filters.length === 0) return [rate(skipEvents ? undefined : options.eventSummaries?.get(metric.code), metricEvents, metricRollups, null)];
    // Each event in one bucket; a later copy of a transaction id goes where its first copy went (and is dropped there
    // as a duplicate, as the SQL summary drops it). Rollups carry no properties: they count in the default bucket.
    const buckets = new Map<number | null, UsageEventRow[]>();
    const bucketOfTransaction = new Map<string, number | null>();
    for (const event of [...metricEvents].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())) {
      let bucket = bucketOfTransaction.get(event.transactionId);
      if (bucket === undefined) bucketOfTransaction.set(event.transactionId, (bucket = filterBucketOf(event.properties, filters)));
      (buckets.get(bucket) ?? buckets.set(bucket, []).get(bucket)!).push(event);
    }
    const key = summaryKeyOf(charge);
    const summaryOf = (bucket: number | null) => options.eventSummaries ? (options.eventSummaries.get(summaryKey(key, bucket)) ?? EMPTY_SUMMARY) : undefined;
    return [
      ...filters.map((filter, index) => rate(summaryOf(index), buckets.get(index) ?? [], [], { index, filter })),
      rate(summaryOf(null), buckets.get(null) ?? [], metricRollups, { index: null, filter: null }),
    ];
  });
}

/** A bucket without any event in the window. */
const EMPTY_SUMMARY: EventSummary = {
  eventsCount: 0, carriedSum: decimal(0), periodSum: decimal(0), periodMax: null, last: null, uniqueCount: 0,
  weightedTail: decimal(0), periodValues: [], ignoredEvents: [],
};

/**
 * Loads the events and rollups of several subscriptions up to `before` in two queries (bulk billing). Rows come back
 * as one JSON document per query: decoding thousands of rows one by one costs more than the queries themselves.
 */
export async function loadUsage(
  client: Db | Prisma.TransactionClient,
  subscriptionIds: string[],
  codes: string[],
  metricIds: string[],
  from: Date,
  before: Date,
  includeEarlierEvents: boolean,
): Promise<{ events: UsageEventRow[]; rollups: UsageRollupRow[] }> {
  if (subscriptionIds.length === 0 || metricIds.length === 0) return { events: [], rollups: [] };
  const eventsFrom = includeEarlierEvents ? new Date(0) : from;
  const [eventRows, rollupRows] = await Promise.all([
    client.$queryRaw<{ rows: string | null }[]>`
      SELECT json_agg(json_build_object('s', e."subscriptionId", 't', e."transactionId", 'ts', (extract(epoch FROM e.timestamp) * 1000)::float8,
                                          'p', e.properties, 'c', e.code) ORDER BY e.timestamp, e."createdAt")::text AS rows
        FROM "UsageEvent" e
       WHERE e."subscriptionId" = ANY(${subscriptionIds}::uuid[]) AND e.code = ANY(${codes}::text[])
         AND e.timestamp >= ${eventsFrom} AND e.timestamp < ${before}`,
    client.$queryRaw<{ rows: string | null }[]>`
      SELECT json_agg(json_build_object('s', r."subscriptionId", 'm', r."billableMetricId", 'ps', (extract(epoch FROM r."periodStart") * 1000)::float8,
                                          'pe', (extract(epoch FROM r."periodEnd") * 1000)::float8, 'v', r.value::text))::text AS rows
        FROM "UsageRollup" r
       WHERE r."subscriptionId" = ANY(${subscriptionIds}::uuid[]) AND r."billableMetricId" = ANY(${metricIds}::uuid[])
         AND r."periodStart" >= ${from} AND r."periodStart" < ${before}`,
  ]);
  const events = (JSON.parse(eventRows[0]?.rows ?? "[]") as { s: string; t: string; ts: number; p: Prisma.JsonValue; c: string }[]).map((e) => ({
    subscriptionId: e.s, transactionId: e.t, timestamp: new Date(e.ts), properties: e.p, code: e.c,
  }));
  const rollups = (JSON.parse(rollupRows[0]?.rows ?? "[]") as { s: string; m: string; ps: number; pe: number; v: string }[]).map((r) => ({
    subscriptionId: r.s, billableMetricId: r.m, periodStart: new Date(r.ps), periodEnd: new Date(r.pe), value: r.v,
  }));
  return { events, rollups };
}

/**
 * The rollups of one subscription in a window, folded in PostgreSQL into at most one equivalent rollup per metric, so
 * rating a subscription costs the same whether its apps pushed ten values or a million: whole hours are read from
 * their totals (UsageRollupHour), only the window's partial edge hours row by row. Each stand-in gives
 * `aggregateUsage` exactly the result the full list would:
 * - count, sum, unique_count: the sum of the rollups inside the window, as one value at the window's start (count and
 *   unique_count keep only whole non-negative values, as the aggregation does);
 * - max: the largest value inside the window, at the window's start;
 * - last: the rollup with the latest window end (then the latest written), with its own window;
 * - weighted_sum: Σ value × overlapping milliseconds, carried by a one-millisecond window at the window's start (the
 *   aggregation multiplies a rollup's value by its overlap in milliseconds, so the product is exact).
 * A window that straddles the period end is left out, as the aggregation ignores it (except for weighted_sum, clipped).
 */
export async function loadRollupAggregates(
  client: Db | Prisma.TransactionClient,
  subscriptionId: string,
  metrics: { id: string; aggregation: string }[],
  window: RatingWindow,
): Promise<UsageRollupRow[]> {
  if (metrics.length === 0) return [];
  // Whole UTC hours inside the window come from UsageRollupHour (kept by triggers), unless one of their rollups ends
  // after the window (those hours and the partial hours at both edges are read row by row).
  const HOUR = 3_600_000;
  let fullFrom = new Date(Math.ceil(window.start.getTime() / HOUR) * HOUR);
  let fullTo = new Date(Math.floor(window.end.getTime() / HOUR) * HOUR);
  if (fullFrom >= fullTo) fullFrom = fullTo = window.end;
  const metricIds = metrics.map((m) => m.id);
  const rows = await client.$queryRaw<{ m: string; total: string | null; whole: string | null; max: string | null; last: string | null; last_ps: Date | null; last_pe: Date | null; weighted: string | null }[]>`
    WITH shards AS (
      SELECT h.* FROM "UsageRollupHour" h
       WHERE h."subscriptionId" = ${subscriptionId}::uuid AND h."billableMetricId" = ANY(${metricIds}::uuid[])
         AND h.hour >= ${fullFrom} AND h.hour < ${fullTo}
    ), hours AS (
      SELECT "subscriptionId", "billableMetricId", hour, max("maxPeriodEnd") AS "maxPeriodEnd" FROM shards GROUP BY 1, 2, 3
    ), inside AS (
      SELECT r."billableMetricId" AS m, r."periodStart" AS ps, r."periodEnd" AS pe, r.value, r."createdAt", r.id
        FROM "UsageRollup" r
       WHERE r."subscriptionId" = ${subscriptionId}::uuid AND r."billableMetricId" = ANY(${metricIds}::uuid[]) AND r."periodEnd" >= r."periodStart"
         AND ((r."periodStart" >= ${window.start} AND r."periodStart" < ${fullFrom}) OR (r."periodStart" >= ${fullTo} AND r."periodStart" < ${window.end}))
      UNION ALL
      SELECT r."billableMetricId", r."periodStart", r."periodEnd", r.value, r."createdAt", r.id
        FROM hours h JOIN "UsageRollup" r ON r."subscriptionId" = h."subscriptionId" AND r."billableMetricId" = h."billableMetricId"
             AND r."periodStart" >= h.hour AND r."periodStart" < h.hour + interval '1 hour' AND r."periodEnd" >= r."periodStart"
       WHERE h."maxPeriodEnd" > ${window.end}
    ), whole_hours AS (
      SELECT s.* FROM shards s JOIN hours h USING ("billableMetricId", hour) WHERE h."maxPeriodEnd" <= ${window.end}
    ), parts AS (
      SELECT m,
             sum(value) FILTER (WHERE pe <= ${window.end}) AS total,
             sum(value) FILTER (WHERE pe <= ${window.end} AND value >= 0 AND value = trunc(value)) AS whole,
             max(value) FILTER (WHERE pe <= ${window.end}) AS max,
             sum(value * (extract(epoch FROM least(pe, ${window.end}::timestamptz) - ps) * 1000)) FILTER (WHERE pe > ps) AS weighted
        FROM inside GROUP BY m
      UNION ALL
      SELECT "billableMetricId", sum(total), sum(whole), max(max), sum(weighted) FROM whole_hours GROUP BY "billableMetricId"
    ), candidates AS (
      SELECT m, value, ps, pe, "createdAt", id FROM inside WHERE pe <= ${window.end}
      UNION ALL
      SELECT "billableMetricId", "lastValue", "lastPeriodStart", "lastPeriodEnd", "lastCreatedAt", "lastId" FROM whole_hours
    )
    SELECT a.m, a.total::text, a.whole::text, a.max::text, a.weighted::text, l.value::text AS last, l.ps AS last_ps, l.pe AS last_pe
      FROM (SELECT m, sum(total) AS total, sum(whole) AS whole, max(max) AS max, sum(weighted) AS weighted FROM parts GROUP BY m) a
      LEFT JOIN LATERAL (
        SELECT c.value, c.ps, c.pe FROM candidates c WHERE c.m = a.m ORDER BY c.pe DESC, c."createdAt" DESC, c.id DESC LIMIT 1
      ) l ON true`;
  const aggregationOf = new Map(metrics.map((m) => [m.id, m.aggregation]));
  const at = window.start;
  const result: UsageRollupRow[] = [];
  for (const row of rows) {
    const base = { subscriptionId, billableMetricId: row.m };
    switch (aggregationOf.get(row.m)) {
      case "count":
      case "unique_count":
        if (row.whole !== null) result.push({ ...base, periodStart: at, periodEnd: at, value: row.whole });
        break;
      case "sum":
        if (row.total !== null) result.push({ ...base, periodStart: at, periodEnd: at, value: row.total });
        break;
      case "max":
        if (row.max !== null) result.push({ ...base, periodStart: at, periodEnd: at, value: row.max });
        break;
      case "last":
        if (row.last !== null) result.push({ ...base, periodStart: row.last_ps!, periodEnd: row.last_pe!, value: row.last });
        break;
      case "weighted_sum":
        if (row.weighted !== null) result.push({ ...base, periodStart: at, periodEnd: new Date(at.getTime() + 1), value: row.weighted });
        break;
    }
  }
  return result;
}

/**
 * Aggregates and prices every usage charge of one subscription for one window (current usage, the portal, a draft's
 * refresh, reconciliation). Rollups and raw events are both aggregated in SQL (loadRollupAggregates, loadEventSummaries).
 */
export async function rateSubscriptionUsage(
  client: Db | Prisma.TransactionClient,
  subscription: { id: string; planId: string | null; shadow?: boolean },
  window: RatingWindow,
  options: { minimumProration?: string } = {},
): Promise<RatedCharge[]> {
  const charges = await chargesOfSubscription(client, subscription);
  if (charges.length === 0) return [];
  const metrics = [...new Map(charges.map((c) => [c.billableMetricId, { id: c.billableMetricId, aggregation: c.billableMetric.aggregation as string }])).values()];
  const summarized = [...new Map(charges.map((c): [string, SummarizedMetric] => {
    const filters = storedChargeFilters(c);
    return [summaryKeyOf(c), {
      key: summaryKeyOf(c),
      code: c.billableMetric.code,
      aggregation: c.billableMetric.aggregation as string,
      fieldName: c.billableMetric.fieldName,
      recurring: c.billableMetric.recurring,
      wantsValues: filters.length ? c.chargeModel === "percentage" : charges.some((other) => other.billableMetricId === c.billableMetricId && other.chargeModel === "percentage"),
      filters: filters.length ? filters : null,
    }];
  })).values()];
  // One after the other: one connection per request under load (and a transaction client runs one query at a time).
  const eventSummaries = await loadEventSummaries(client, subscription.id, summarized, window);
  const rollups = await loadRollupAggregates(client, subscription.id, metrics, window);
  return rateLoadedUsage(charges, [], rollups, window, { ...options, eventSummaries, eventsBilledInAdvance: subscription.shadow !== true });
}
