import { epochMsSql, instantFromEpochMs, statementNamedByText, uuidArray } from "@/lib/db/sql";
import type { Db } from "@/lib/db/prisma";
import { aggregateUsage, type EventSummary, type UsageAggregate } from "@/lib/billing/aggregation";
import { priceCharge, type ChargePrice, type PricedCharge } from "@/lib/billing/charge-models";
import { decimal } from "@/lib/billing/decimal";
import { Prisma, type BillableMetric, type Charge } from "@/lib/generated/prisma/client";
import type { SqlPool } from "@/lib/db/sql";
import type { TextRowReader } from "@/lib/db/transaction-connection";
import { filterBucketOf, storedChargeFilters, type ChargeFilter } from "./charge-filters";
import { decodeEventSummaries, eventSummariesSql, summaryKey, type EventSummaryRow, type SummarizedMetric } from "./event-summaries";

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
 * Loads the events and rollups of several subscriptions up to `before`, one query each (bulk billing). Rows come back
 * as arrays of text, instants as epoch milliseconds (see TextRowReader).
 */
export async function loadUsage(
  rows: TextRowReader,
  subscriptionIds: string[],
  codes: string[],
  metricIds: string[],
  from: Date,
  before: Date,
  includeEarlierEvents: boolean,
): Promise<{ events: UsageEventRow[]; rollups: UsageRollupRow[] }> {
  if (subscriptionIds.length === 0 || metricIds.length === 0) return { events: [], rollups: [] };
  const eventsFrom = includeEarlierEvents ? new Date(0) : from;
  const eventRows = await rows(Prisma.sql`
    SELECT e."subscriptionId"::text AS s, e."transactionId" AS t, (${epochMsSql("e.timestamp")})::text AS ts, e.properties::text AS p, e.code AS c
      FROM "UsageEvent" e
     WHERE e."subscriptionId" = ANY(${uuidArray(subscriptionIds)}) AND e.code = ANY(${codes}::text[])
       AND e.timestamp >= ${eventsFrom} AND e.timestamp < ${before}
     ORDER BY e.timestamp, e."createdAt"`);
  const rollupRows = await rows(Prisma.sql`
    SELECT r."subscriptionId"::text AS s, r."billableMetricId"::text AS m, (${epochMsSql('r."periodStart"')})::text AS ps,
           (${epochMsSql('r."periodEnd"')})::text AS pe, r.value::text AS v
      FROM "UsageRollup" r
     WHERE r."subscriptionId" = ANY(${uuidArray(subscriptionIds)}) AND r."billableMetricId" = ANY(${uuidArray(metricIds)})
       AND r."periodStart" >= ${from} AND r."periodStart" < ${before}`);
  const events = eventRows.map(([s, t, ts, p, c]) => ({
    subscriptionId: s, transactionId: t!, timestamp: instantFromEpochMs(ts!), properties: JSON.parse(p!) as Prisma.JsonValue, code: c!,
  }));
  const rollups = rollupRows.map(([s, m, ps, pe, v]) => ({
    subscriptionId: s!, billableMetricId: m!, periodStart: instantFromEpochMs(ps!), periodEnd: instantFromEpochMs(pe!), value: v!,
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
export interface RolledUpMetric {
  id: string;
  aggregation: string;
}

export interface RollupAggregateRow {
  m: string;
  total: string | null;
  whole: string | null;
  max: string | null;
  weighted: string | null;
  last: string | null;
  /** Epoch milliseconds of the last rollup's window. */
  last_ps: number | null;
  last_pe: number | null;
}

const HOUR = 3_600_000;

/**
 * The rollup aggregates of one subscription's window: one row per metric with rollups in the window. Whole UTC hours inside the
 * window come from UsageRollupHour (one primary-key range scan), unless one of their rollups ends after the window:
 * those hours (found by the same range) and the partial hours at both edges are read from UsageRollup by its
 * (subscriptionId, billableMetricId, periodStart) index, one range each. The latest rollup is looked for only when a
 * metric aggregates `last`.
 */
export function rollupAggregatesSql(subscriptionId: string, metrics: RolledUpMetric[], window: RatingWindow): Prisma.Sql {
  let fullFrom = new Date(Math.ceil(window.start.getTime() / HOUR) * HOUR);
  let fullTo = new Date(Math.floor(window.end.getTime() / HOUR) * HOUR);
  if (fullFrom >= fullTo) fullFrom = fullTo = window.end;
  const metricIds = metrics.map((m) => m.id);
  const lastIds = metrics.filter((m) => m.aggregation === "last").map((m) => m.id);
  const sub = Prisma.sql`${subscriptionId}::uuid`;
  const ids = Prisma.sql`${metricIds}::uuid[]`;
  const end = Prisma.sql`${window.end}::timestamptz`;
  // The hours whose totals are used: the whole hours of the window without a rollup ending after it.
  const wholeHours = Prisma.sql`h."subscriptionId" = ${sub} AND h.hour >= ${fullFrom}::timestamptz AND h.hour < ${fullTo}::timestamptz AND h.hour <> ALL(spill.hours)`;
  const latest = lastIds.length === 0 ? Prisma.sql`NULL::numeric AS value, NULL::timestamptz AS ps, NULL::timestamptz AS pe` : Prisma.sql`l.value, l.ps, l.pe`;
  const latestJoin = lastIds.length === 0 ? Prisma.empty : Prisma.sql`
      LEFT JOIN LATERAL (
        SELECT c.value, c.ps, c.pe FROM (
          SELECT value, ps, pe, ca, id FROM raw WHERE raw.m = t.m AND pe <= ${end}
          UNION ALL
          SELECT h."lastValue", h."lastPeriodStart", h."lastPeriodEnd", h."lastCreatedAt", h."lastId"
            FROM "UsageRollupHour" h, spill WHERE ${wholeHours} AND h."billableMetricId" = t.m
        ) c ORDER BY c.pe DESC, c.ca DESC, c.id DESC LIMIT 1
      ) l ON t.m = ANY(${lastIds}::uuid[])`;
  return Prisma.sql`
    WITH spill AS MATERIALIZED (
      SELECT coalesce(array_agg(DISTINCT h.hour), '{}') AS hours FROM "UsageRollupHour" h
       WHERE h."subscriptionId" = ${sub} AND h."billableMetricId" = ANY(${ids})
         AND h.hour >= ${fullFrom}::timestamptz AND h.hour < ${fullTo}::timestamptz AND h."maxPeriodEnd" > ${end}
    ), ranges AS (
      -- What is read row by row: the partial hours at both edges of the window, and the spilled hours.
      SELECT lo, hi FROM (VALUES (${window.start}::timestamptz, ${fullFrom}::timestamptz), (${fullTo}::timestamptz, ${end})) AS edge(lo, hi) WHERE lo < hi
      UNION ALL
      SELECT hour, hour + interval '1 hour' FROM spill, unnest(spill.hours) AS s(hour)
    ), raw AS MATERIALIZED (
      -- OFFSET 0 keeps each range an index range scan (flattened, the planner may scan the whole table).
      SELECT r.* FROM ranges, LATERAL (
        SELECT r."billableMetricId" AS m, r."periodStart" AS ps, r."periodEnd" AS pe, r.value, r."createdAt" AS ca, r.id
          FROM "UsageRollup" r
         WHERE r."subscriptionId" = ${sub} AND r."billableMetricId" = ANY(${ids}) AND r."periodEnd" >= r."periodStart"
           AND r."periodStart" >= ranges.lo AND r."periodStart" < ranges.hi OFFSET 0) r
    ), totals AS (
      SELECT m, sum(value) FILTER (WHERE pe <= ${end}) AS total,
             sum(value) FILTER (WHERE pe <= ${end} AND value >= 0 AND value = trunc(value)) AS whole,
             max(value) FILTER (WHERE pe <= ${end}) AS max,
             sum(value * (extract(epoch FROM least(pe, ${end}) - ps) * 1000)) FILTER (WHERE pe > ps) AS weighted
        FROM raw GROUP BY m
      UNION ALL
      SELECT h."billableMetricId", sum(h.total), sum(h.whole), max(h.max), sum(h.weighted)
        FROM "UsageRollupHour" h, spill WHERE ${wholeHours} AND h."billableMetricId" = ANY(${ids}) GROUP BY 1
    )
    SELECT t.m, t.total::text, t.whole::text, t.max::text, t.weighted::text, latest.value::text AS last,
           (extract(epoch FROM latest.ps) * 1000)::float8 AS last_ps, (extract(epoch FROM latest.pe) * 1000)::float8 AS last_pe
      FROM (SELECT m, sum(total) AS total, sum(whole) AS whole, max(max) AS max, sum(weighted) AS weighted FROM totals GROUP BY m) t
      ${latestJoin}
      CROSS JOIN LATERAL (SELECT ${latest}) latest`;
}

/** The stand-in rollups from the rows of rollupAggregatesSql. */
export function decodeRollupAggregates(rows: RollupAggregateRow[], subscriptionId: string, metrics: RolledUpMetric[], window: RatingWindow): UsageRollupRow[] {
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
        if (row.last !== null) result.push({ ...base, periodStart: new Date(row.last_ps!), periodEnd: new Date(row.last_pe!), value: row.last });
        break;
      case "weighted_sum":
        if (row.weighted !== null) result.push({ ...base, periodStart: at, periodEnd: new Date(at.getTime() + 1), value: row.weighted });
        break;
    }
  }
  return result;
}

/** Runs one statement and returns its rows: a Prisma client's $queryRaw, or node-postgres on the shared pool. */
export type SqlRunner = <T>(statement: Prisma.Sql) => Promise<T[]>;

export const prismaRunner = (client: Db | Prisma.TransactionClient): SqlRunner => (statement) => client.$queryRaw(statement);
/** node-postgres on the shared pool, each statement prepared once per connection (rateChargesUsage has four shapes). */
export const poolRunner = (pool: SqlPool): SqlRunner => async <T>(statement: Prisma.Sql) => (await pool.query(statementNamedByText(statement))).rows as T[];

/**
 * Aggregates and prices every usage charge of one subscription for one window (current usage, the portal, a draft's
 * refresh, reconciliation). Rollups and raw events are both aggregated in SQL, in one statement (rateChargesUsage).
 */
export async function rateSubscriptionUsage(
  client: Db | Prisma.TransactionClient,
  subscription: { id: string; planId: string | null; shadow?: boolean },
  window: RatingWindow,
  options: { minimumProration?: string } = {},
): Promise<RatedCharge[]> {
  const charges = await chargesOfSubscription(client, subscription);
  return rateChargesUsage(prismaRunner(client), subscription, charges, window, options);
}

/**
 * The same for charges already loaded, in one statement: the raw events' summaries and the rollups' aggregates come
 * back together. `hasEvents: false` (the subscription has no raw event at all) leaves the events out of it.
 */
export async function rateChargesUsage(
  run: SqlRunner,
  subscription: { id: string; shadow?: boolean },
  charges: ChargeWithMetric[],
  window: RatingWindow,
  options: { minimumProration?: string; hasEvents?: boolean } = {},
): Promise<RatedCharge[]> {
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
  const withEvents = options.hasEvents !== false && summarized.length > 0;
  const events = withEvents ? Prisma.sql`(SELECT coalesce(json_agg(e), '[]') FROM (${eventSummariesSql(subscription.id, summarized, window)}) e)::text` : Prisma.sql`'[]'`;
  const [row] = await run<{ events: string; rollups: string }>(Prisma.sql`
    SELECT ${events} AS events,
           (SELECT coalesce(json_agg(r), '[]') FROM (${rollupAggregatesSql(subscription.id, metrics, window)}) r)::text AS rollups`);
  // Without events every summary is empty (the statement would return the same for each metric without filters; a
  // filter bucket without a summary counts as empty).
  const eventSummaries = withEvents
    ? decodeEventSummaries(JSON.parse(row.events) as EventSummaryRow[], summarized)
    : new Map(summarized.filter((m) => !m.filters).map((m) => [m.key, EMPTY_SUMMARY]));
  const rollups = decodeRollupAggregates(JSON.parse(row.rollups) as RollupAggregateRow[], subscription.id, metrics, window);
  return rateLoadedUsage(charges, [], rollups, window, { minimumProration: options.minimumProration, eventSummaries, eventsBilledInAdvance: subscription.shadow !== true });
}
