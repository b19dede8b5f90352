import { decimal, ZERO } from "@/lib/billing/decimal";
import type { EventSummary, IgnoredEvent, IgnoredEventReason } from "@/lib/billing/aggregation";
import { Prisma } from "@/lib/generated/prisma/client";

export interface SummarizedMetric {
  /** Names the summaries returned: the metric's code, or a charge's own key when the charge has filters. */
  key: string;
  code: string;
  aggregation: string;
  fieldName: string | null;
  recurring: boolean;
  /** Whether a charge prices per event (percentage): the period's values are then returned in order. */
  wantsValues: boolean;
  /** A charge's filter values (lib/rating/charge-filters.ts): the events are then summarised per bucket, under
   *  `summaryKey(key, index)` for each filter and `summaryKey(key, null)` for the default bucket. */
  filters?: { values: Record<string, string[]> }[] | null;
}

/** The key of one filter bucket's summary (null: the default bucket) of a summarised charge with filters. */
export function summaryKey(key: string, bucket: number | null): string {
  return `${key}#${bucket ?? "default"}`;
}

const IGNORED_DETAIL: Record<string, (field: string) => string> = {
  duplicate_transaction_id: () => "an earlier event has this transaction id",
  missing_field: (field) => `property "${field}" is missing`,
  non_numeric_value: (field) => `property "${field}" is not a number`,
  invalid_operation_type: () => 'operation_type is neither "add" nor "remove"',
};

export interface EventSummaryRow {
  gkey: string;
  code: string;
  events_count: number | null;
  carried_sum: string | null;
  period_sum: string | null;
  period_max: string | null;
  weighted_tail: string | null;
  last_value: string | null;
  last_ms: number | null;
  unique_count: number | null;
  period_values: string[] | null;
  ignored: { t: string; r: IgnoredEventReason }[] | null;
}

/**
 * One subscription's raw events of a window, summarised per metric in PostgreSQL (lib/billing/aggregation.ts
 * EventSummary) with the same rules `aggregateUsage` applies to a loaded list: the first copy of a transaction id wins
 * (by timestamp, then arrival), a missing or non-numeric field or an unknown operation_type leaves the event out and
 * reports it, recurring metrics fold the events before the window into the opening level, unique_count replays each
 * value's add/remove operations in time order. The events are never brought into JavaScript, except the values of the
 * period in order for a metric priced per event (`wantsValues`).
 */
export function eventSummariesSql(subscriptionId: string, metrics: SummarizedMetric[], window: { start: Date; end: Date }): Prisma.Sql {
  return Prisma.sql`
    WITH metric AS (
      SELECT * FROM unnest(${metrics.map((m) => m.key)}::text[], ${metrics.map((m) => m.code)}::text[], ${metrics.map((m) => m.aggregation)}::text[],
                           ${metrics.map((m) => m.fieldName ?? "")}::text[], ${metrics.map((m) => m.recurring)}::boolean[], ${metrics.map((m) => m.wantsValues)}::boolean[],
                           ${metrics.map((m) => (m.filters ? JSON.stringify(m.filters.map((f) => f.values)) : null))}::text[]::jsonb[])
                    AS t(key, code, agg, field, recurring, want_values, filters)
    ), ev AS (
      -- A charge with filters summarises each filter's events apart (charge-filters.ts: all keys match, most keys win,
      -- then the first filter), the rest in its default bucket.
      SELECT CASE WHEN m.filters IS NULL THEN m.key ELSE m.key || '#' || coalesce(b.bucket::text, 'default') END AS code,
             m.key AS mkey, m.agg, m.want_values, e."transactionId" AS tx, e.timestamp AS ts, e."createdAt" AS ca, e.id,
             e.timestamp < ${window.start} AS carried, e.properties -> m.field AS raw, e.properties -> 'operation_type' AS op,
             row_number() OVER (PARTITION BY m.key, e."transactionId" ORDER BY e.timestamp, e."createdAt", e.id) AS copy
        FROM metric m
        JOIN "UsageEvent" e ON e."subscriptionId" = ${subscriptionId}::uuid AND e.code = m.code
                           AND e.timestamp < ${window.end} AND (m.recurring OR e.timestamp >= ${window.start})
        LEFT JOIN LATERAL (
          SELECT (f.ord - 1)::int AS bucket FROM jsonb_array_elements(m.filters) WITH ORDINALITY AS f(def, ord)
           WHERE NOT EXISTS (
                   SELECT 1 FROM jsonb_each(f.def) AS kv(k, vals)
                    WHERE NOT coalesce(jsonb_typeof(e.properties -> kv.k) IN ('string', 'number', 'boolean')
                                        AND (kv.vals ? (e.properties ->> kv.k) OR kv.vals ? '__ALL_FILTER_VALUES__'), false))
           ORDER BY (SELECT count(*) FROM jsonb_object_keys(f.def)) DESC, f.ord LIMIT 1
        ) b ON m.filters IS NOT NULL
    ), classified AS (
      SELECT ev.*, CASE
               WHEN copy > 1 THEN 'duplicate_transaction_id'
               WHEN agg = 'count' THEN NULL
               WHEN raw IS NULL OR raw = 'null'::jsonb THEN 'missing_field'
               WHEN agg = 'unique_count' THEN CASE WHEN op IS NULL OR op IN ('null'::jsonb, '"add"'::jsonb, '"remove"'::jsonb) THEN NULL ELSE 'invalid_operation_type' END
               WHEN jsonb_typeof(raw) = 'number' THEN NULL
               WHEN jsonb_typeof(raw) = 'string' AND btrim(raw #>> '{}', E' \t\n\r\f\v') ~ '^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$' THEN NULL
               ELSE 'non_numeric_value'
             END AS problem
        FROM ev
    ), accepted AS (
      SELECT code, ts, ca, id, carried, want_values,
             CASE WHEN agg IN ('sum', 'max', 'last', 'weighted_sum') THEN btrim(raw #>> '{}', E' \t\n\r\f\v')::numeric END AS v,
             CASE WHEN agg = 'unique_count' THEN raw #>> '{}' END AS ukey,
             op = '"remove"'::jsonb AS removes
        FROM classified WHERE problem IS NULL
    ), totals AS (
      SELECT code,
             count(*) FILTER (WHERE NOT carried)::int AS events_count,
             sum(v) FILTER (WHERE carried) AS carried_sum,
             sum(v) FILTER (WHERE NOT carried) AS period_sum,
             max(v) FILTER (WHERE NOT carried) AS period_max,
             sum(v * (extract(epoch FROM ${window.end}::timestamptz - ts) * 1000)) FILTER (WHERE NOT carried) AS weighted_tail,
             array_agg(v::text ORDER BY ts, ca, id) FILTER (WHERE NOT carried AND v IS NOT NULL AND want_values) AS period_values
        FROM accepted GROUP BY code
    ), latest AS (
      SELECT DISTINCT ON (code) code, v, ts FROM accepted WHERE NOT carried AND v IS NOT NULL ORDER BY code, ts DESC, ca DESC, id DESC
    ), uniques AS (
      SELECT code, count(*) FILTER (WHERE removes IS NOT TRUE)::int AS n
        FROM (SELECT DISTINCT ON (code, ukey) code, ukey, removes FROM accepted WHERE ukey IS NOT NULL ORDER BY code, ukey, ts DESC, ca DESC, id DESC) u
       GROUP BY code
    ), ignored AS (
      SELECT code, json_agg(json_build_object('t', tx, 'r', problem) ORDER BY ts, ca, id) AS ignored FROM classified WHERE problem IS NOT NULL GROUP BY code
    )
    , summarized AS (
      SELECT key AS gkey, key AS mkey FROM metric WHERE filters IS NULL
      UNION SELECT DISTINCT code, mkey FROM ev WHERE code <> mkey
    )
    SELECT s.gkey, m.code, t.events_count, t.carried_sum::text, t.period_sum::text, t.period_max::text, t.weighted_tail::text,
           l.v::text AS last_value, (extract(epoch FROM l.ts) * 1000)::float8 AS last_ms, u.n AS unique_count, t.period_values, i.ignored
      FROM summarized s
      JOIN metric m ON m.key = s.mkey
      LEFT JOIN totals t ON t.code = s.gkey
      LEFT JOIN latest l ON l.code = s.gkey
      LEFT JOIN uniques u ON u.code = s.gkey
      LEFT JOIN ignored i ON i.code = s.gkey`;
}

/** The summaries from the rows of eventSummariesSql, by summary key. */
export function decodeEventSummaries(rows: EventSummaryRow[], metrics: SummarizedMetric[]): Map<string, EventSummary> {
  const fieldOf = new Map(metrics.map((m) => [m.code, m.fieldName ?? ""]));
  const result = new Map<string, EventSummary>();
  for (const row of rows) {
    const orZero = (text: string | null) => (text === null ? ZERO : decimal(text));
    const ignoredEvents: IgnoredEvent[] = (row.ignored ?? []).map(({ t, r }) => ({ transactionId: t, reason: r, detail: IGNORED_DETAIL[r]?.(fieldOf.get(row.code)!) ?? r }));
    result.set(row.gkey, {
      eventsCount: row.events_count ?? 0,
      carriedSum: orZero(row.carried_sum),
      periodSum: orZero(row.period_sum),
      periodMax: row.period_max === null ? null : decimal(row.period_max),
      last: row.last_value === null ? null : { value: decimal(row.last_value), time: row.last_ms! },
      uniqueCount: row.unique_count ?? 0,
      weightedTail: orZero(row.weighted_tail),
      periodValues: (row.period_values ?? []).map((v) => decimal(v)),
      ignoredEvents,
    });
  }
  return result;
}
