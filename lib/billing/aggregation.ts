/**
 * Aggregation of a billing period's usage for one billable metric, from raw events and from pushed rollups.
 *
 * The period is half-open: [start, end). Events outside it, duplicates and events whose field cannot be read are left
 * out and reported in `ignoredEvents` rather than thrown, so one bad event never blocks an invoice.
 *
 * Recurring metrics (sum, unique_count, weighted_sum) carry state across periods: pass the subscription's earlier events
 * too and they are folded into the opening state instead of being reported as outside the period.
 *
 * How rollups (values pushed already aggregated for a window) combine with events:
 * - count, sum: rollup values are added to the event total;
 * - max: the largest of the event maximum and the rollup values;
 * - last: the latest of the last event (by timestamp) and the rollups (by window end); on a tie the later item in its
 *   input list wins, and an event wins over a rollup;
 * - unique_count: a rollup value is a count of distinct values already netted by the sender, added to the count from
 *   events (the sender must not also send those values as events);
 * - weighted_sum: a rollup is a level held for its window (clipped to the period); it adds
 *   value × overlapping seconds ÷ period seconds, so a rollup spanning the whole period adds its value. It does not
 *   change the closing level carried to the next period.
 * Except for weighted_sum, a rollup must lie inside the period; one that straddles a boundary is ignored and reported,
 * never split by guesswork. A rollup whose window has no duration is a value at an instant (not for weighted_sum).
 */
import { AGGREGATIONS, RECURRING_AGGREGATIONS, type AggregationType } from "@/lib/catalog/vocabulary";
import { BillingDecimal, decimal, parseDecimal, ZERO, type Decimal } from "./decimal";

export type { AggregationType };
export type RoundingFunction = "round" | "ceil" | "floor";

export interface BillableMetricRule {
  aggregation: AggregationType;
  /** Event property aggregated; not used by count. */
  fieldName?: string | null;
  recurring?: boolean;
  /** Applied to the units after aggregation. */
  roundingFunction?: RoundingFunction | null;
  /** Decimal places kept by the rounding (negative rounds to tens, hundreds, …); default 0. */
  roundingPrecision?: number | null;
}

export interface UsageEventInput {
  transactionId: string;
  timestamp: Date;
  properties: Record<string, unknown>;
}

export interface UsageRollupInput {
  periodStart: Date;
  periodEnd: Date;
  value: Decimal;
}

export interface AggregationWindow {
  start: Date;
  /** Exclusive. */
  end: Date;
}

export interface AggregateUsageInput {
  metric: BillableMetricRule;
  period: AggregationWindow;
  events?: readonly UsageEventInput[];
  rollups?: readonly UsageRollupInput[];
  /**
   * Recurring sum and weighted_sum only: level carried in that the events passed do not show (e.g. the closing level of
   * the previous subscription after an upgrade). Default 0.
   */
  carriedLevel?: Decimal;
  /**
   * The events already summarised (e.g. in SQL, lib/rating/event-totals.ts), instead of `events`: what the aggregation
   * needs of them and nothing more, so reading a period does not load every event.
   */
  eventSummary?: EventSummary;
}

/**
 * Everything the aggregations take from a period's accepted events (after the checks and de-duplication of
 * `aggregateUsage`). Values are the metric field's numeric values (none for count and unique_count).
 */
export interface EventSummary {
  /** Accepted events inside the period. */
  eventsCount: number;
  /** Sum of the values of accepted events before the period (recurring metrics only; else 0). */
  carriedSum: Decimal;
  periodSum: Decimal;
  periodMax: Decimal | null;
  /** The period's latest event (by timestamp, then arrival) and its value. */
  last: { value: Decimal; time: number } | null;
  /** unique_count: values whose last operation, over the accepted events (carried ones included), is an add. */
  uniqueCount: number;
  /** weighted_sum: Σ value × (period end − timestamp) in milliseconds over the period's events. */
  weightedTail: Decimal;
  /** Values of the period's events in timestamp order (only needed by per-event pricing rules; may be left empty). */
  periodValues: Decimal[];
  ignoredEvents: IgnoredEvent[];
}

export type IgnoredEventReason =
  | "invalid_timestamp"
  | "outside_period"
  | "duplicate_transaction_id"
  | "missing_field"
  | "non_numeric_value"
  | "invalid_operation_type";

export interface IgnoredEvent {
  transactionId: string;
  reason: IgnoredEventReason;
  detail: string;
}

export type IgnoredRollupReason = "invalid_window" | "outside_period" | "straddles_period" | "invalid_value";

export interface IgnoredRollup {
  /** Position in the `rollups` input. */
  index: number;
  reason: IgnoredRollupReason;
  detail: string;
}

export interface UsageAggregate {
  /** Units after the metric's rounding. */
  units: Decimal;
  unroundedUnits: Decimal;
  /** In-period events that contributed. */
  eventsCount: number;
  /** Numeric values of those events in timestamp order (sum, max, last, weighted_sum), for per-event pricing rules. */
  eventValues: Decimal[];
  /** weighted_sum: level at the end of the period, carried into the next one; null for other aggregations. */
  closingLevel: Decimal | null;
  ignoredEvents: IgnoredEvent[];
  ignoredRollups: IgnoredRollup[];
}

const RECURRING: ReadonlySet<AggregationType> = new Set(RECURRING_AGGREGATIONS);
const KNOWN_AGGREGATIONS: ReadonlySet<string> = new Set(AGGREGATIONS);

interface AcceptedEvent {
  event: UsageEventInput;
  index: number;
  time: number;
  /** Before the period start (recurring metrics only). */
  carried: boolean;
  value: Decimal | null;
  uniqueKey: string | null;
  removes: boolean;
}

interface AcceptedRollup {
  rollup: UsageRollupInput;
  index: number;
  value: Decimal;
  start: number;
  end: number;
}

/** Reads a numeric field: finite JSON numbers and plain decimal strings. */
function numericValue(raw: unknown): Decimal | null {
  if (typeof raw === "number") return Number.isFinite(raw) ? decimal(raw) : null;
  if (typeof raw === "string") return parseDecimal(raw.trim());
  return null;
}

/** The text a property has in the event store (`properties->>field`), so 1 and "1" are the same value. */
function uniqueKeyOf(raw: unknown): string {
  return typeof raw === "string" ? raw : JSON.stringify(raw);
}

function assertMetric(metric: BillableMetricRule): void {
  if (!KNOWN_AGGREGATIONS.has(metric.aggregation)) throw new RangeError(`Unknown aggregation: ${metric.aggregation}`);
  if (metric.aggregation !== "count" && !metric.fieldName) {
    throw new RangeError(`A ${metric.aggregation} metric needs a field name`);
  }
  if (metric.recurring && !RECURRING.has(metric.aggregation)) {
    throw new RangeError(`A ${metric.aggregation} metric cannot be recurring`);
  }
  const rounding = metric.roundingFunction;
  if (rounding !== undefined && rounding !== null && !["round", "ceil", "floor"].includes(rounding)) {
    throw new RangeError(`Unknown rounding function: ${rounding}`);
  }
  const precision = metric.roundingPrecision;
  if (precision !== undefined && precision !== null && !Number.isSafeInteger(precision)) {
    throw new RangeError(`Rounding precision must be an integer: ${precision}`);
  }
}

function acceptEvents(
  input: AggregateUsageInput,
  periodStart: number,
  periodEnd: number,
  ignored: IgnoredEvent[],
): AcceptedEvent[] {
  const { metric } = input;
  const seen = new Set<string>();
  const accepted: AcceptedEvent[] = [];
  (input.events ?? []).forEach((event, index) => {
    const ignore = (reason: IgnoredEventReason, detail: string) =>
      ignored.push({ transactionId: event.transactionId, reason, detail });
    const time = event.timestamp instanceof Date ? event.timestamp.getTime() : Number.NaN;
    if (Number.isNaN(time)) return ignore("invalid_timestamp", "timestamp is not a valid date");
    if (time >= periodEnd) return ignore("outside_period", `timestamp ${event.timestamp.toISOString()} is at or after the period end`);
    const carried = time < periodStart;
    if (carried && !metric.recurring) {
      return ignore("outside_period", `timestamp ${event.timestamp.toISOString()} is before the period start`);
    }
    // The first copy of a transaction wins, as with Lago's PostgreSQL event store.
    if (seen.has(event.transactionId)) return ignore("duplicate_transaction_id", "an earlier event has this transaction id");
    seen.add(event.transactionId);

    let value: Decimal | null = null;
    let uniqueKey: string | null = null;
    let removes = false;
    if (metric.aggregation !== "count") {
      const field = metric.fieldName as string;
      const raw = event.properties?.[field];
      if (raw === undefined || raw === null) return ignore("missing_field", `property "${field}" is missing`);
      if (metric.aggregation === "unique_count") {
        const operation = event.properties.operation_type ?? "add";
        if (operation !== "add" && operation !== "remove") {
          return ignore("invalid_operation_type", `operation_type ${JSON.stringify(operation)} is neither "add" nor "remove"`);
        }
        uniqueKey = uniqueKeyOf(raw);
        removes = operation === "remove";
      } else {
        value = numericValue(raw);
        if (value === null) return ignore("non_numeric_value", `property "${field}" is not a number: ${JSON.stringify(raw)}`);
      }
    }
    accepted.push({ event, index, time, carried, value, uniqueKey, removes });
  });
  // Stable: events with the same timestamp keep their input order.
  return accepted.sort((a, b) => a.time - b.time || a.index - b.index);
}

function acceptRollups(
  input: AggregateUsageInput,
  periodStart: number,
  periodEnd: number,
  ignored: IgnoredRollup[],
): AcceptedRollup[] {
  const { aggregation } = input.metric;
  const accepted: AcceptedRollup[] = [];
  (input.rollups ?? []).forEach((rollup, index) => {
    const ignore = (reason: IgnoredRollupReason, detail: string) => ignored.push({ index, reason, detail });
    const start = rollup.periodStart instanceof Date ? rollup.periodStart.getTime() : Number.NaN;
    const end = rollup.periodEnd instanceof Date ? rollup.periodEnd.getTime() : Number.NaN;
    // A zero-length window is a value at an instant; only weighted_sum needs a duration to weigh it by.
    const instant = end === start;
    if (Number.isNaN(start) || Number.isNaN(end) || end < start || (instant && aggregation === "weighted_sum")) {
      return ignore("invalid_window", instant ? "a weighted_sum rollup needs a window with a duration" : "the window must not end before it starts");
    }
    let value: Decimal;
    try {
      value = decimal(rollup.value);
    } catch {
      return ignore("invalid_value", "the value is not a finite decimal");
    }
    if ((aggregation === "count" || aggregation === "unique_count") && (value.isNegative() || !value.isInteger())) {
      return ignore("invalid_value", `a ${aggregation} rollup must be a whole number of at least 0`);
    }
    if (instant ? start < periodStart || start >= periodEnd : end <= periodStart || start >= periodEnd) {
      return ignore("outside_period", "the window does not overlap the period");
    }
    if (aggregation !== "weighted_sum" && (start < periodStart || end > periodEnd)) {
      return ignore("straddles_period", "the window crosses a period boundary");
    }
    accepted.push({ rollup, index, value, start, end });
  });
  return accepted;
}

function applyRounding(units: Decimal, metric: BillableMetricRule): Decimal {
  if (!metric.roundingFunction) return units;
  const scale = decimal(10).pow(metric.roundingPrecision ?? 0);
  const mode = { round: BillingDecimal.ROUND_HALF_UP, ceil: BillingDecimal.ROUND_CEIL, floor: BillingDecimal.ROUND_FLOOR }[metric.roundingFunction];
  return units.mul(scale).toDecimalPlaces(0, mode).div(scale);
}

function countUnique(events: readonly AcceptedEvent[]): number {
  // Lago replays each value's operations in time order: a repeated add, or a remove of an absent value, changes nothing.
  const present = new Map<string, boolean>();
  for (const event of events) present.set(event.uniqueKey as string, !event.removes);
  let count = 0;
  for (const isPresent of present.values()) if (isPresent) count += 1;
  return count;
}

/**
 * Σ level × duration over the period: the opening level held for the whole period, plus each event's value from its
 * timestamp to the period end (the same as summing the level between consecutive events), plus each rollup's value
 * over its overlap with the period.
 */
function weightedSum(
  summary: EventSummary,
  rollups: readonly AcceptedRollup[],
  openingLevel: Decimal,
  periodStart: number,
  periodEnd: number,
): { units: Decimal; closingLevel: Decimal } {
  const periodLength = periodEnd - periodStart;
  let levelTimesDuration = openingLevel.mul(periodLength).plus(summary.weightedTail);
  for (const rollup of rollups) {
    const overlap = Math.min(rollup.end, periodEnd) - Math.max(rollup.start, periodStart);
    levelTimesDuration = levelTimesDuration.plus(rollup.value.mul(overlap));
  }
  return { units: levelTimesDuration.div(periodLength), closingLevel: openingLevel.plus(summary.periodSum) };
}

/** The summary of events accepted by `acceptEvents`. */
function summarizeEvents(accepted: readonly AcceptedEvent[], periodEnd: number, ignoredEvents: IgnoredEvent[]): EventSummary {
  const periodEvents = accepted.filter((event) => !event.carried);
  const periodValues = periodEvents.flatMap((event) => (event.value === null ? [] : [event.value]));
  let carriedSum = ZERO;
  for (const event of accepted) if (event.carried && event.value !== null) carriedSum = carriedSum.plus(event.value);
  let weightedTail = ZERO;
  for (const event of periodEvents) if (event.value !== null) weightedTail = weightedTail.plus(event.value.mul(periodEnd - event.time));
  const latest = periodEvents.at(-1);
  return {
    eventsCount: periodEvents.length,
    carriedSum,
    periodSum: periodValues.reduce((total, value) => total.plus(value), ZERO),
    periodMax: periodValues.length === 0 ? null : periodValues.reduce((max, value) => (value.gt(max) ? value : max)),
    last: latest && latest.value !== null ? { value: latest.value, time: latest.time } : null,
    uniqueCount: accepted.some((event) => event.uniqueKey !== null) ? countUnique(accepted) : 0,
    weightedTail,
    periodValues,
    ignoredEvents,
  };
}

/** Aggregates a period's usage for a metric. Throws only for an invalid metric, period or carried level. */
export function aggregateUsage(input: AggregateUsageInput): UsageAggregate {
  const { metric, period } = input;
  assertMetric(metric);
  const periodStart = period.start.getTime();
  const periodEnd = period.end.getTime();
  if (Number.isNaN(periodStart) || Number.isNaN(periodEnd) || periodEnd <= periodStart) {
    throw new RangeError("The period must end after it starts");
  }
  const carriedLevel = decimal(input.carriedLevel ?? 0);
  if (!carriedLevel.isZero() && !(metric.recurring && (metric.aggregation === "sum" || metric.aggregation === "weighted_sum"))) {
    throw new RangeError("A carried level applies to recurring sum and weighted_sum metrics only");
  }

  const ignoredRollups: IgnoredRollup[] = [];
  let summary = input.eventSummary;
  if (!summary) {
    const ignoredEvents: IgnoredEvent[] = [];
    summary = summarizeEvents(acceptEvents(input, periodStart, periodEnd, ignoredEvents), periodEnd, ignoredEvents);
  }
  const rollups = acceptRollups(input, periodStart, periodEnd, ignoredRollups);
  const sumOf = (values: readonly Decimal[]) => values.reduce((total, value) => total.plus(value), ZERO);
  const rollupValues = rollups.map((rollup) => rollup.value);

  let units: Decimal;
  let closingLevel: Decimal | null = null;
  switch (metric.aggregation) {
    case "count":
      units = decimal(summary.eventsCount).plus(sumOf(rollupValues));
      break;
    case "sum":
      units = carriedLevel.plus(summary.carriedSum).plus(summary.periodSum).plus(sumOf(rollupValues));
      break;
    case "max": {
      const candidates = [...(summary.periodMax === null ? [] : [summary.periodMax]), ...rollupValues];
      units = candidates.length === 0 ? ZERO : candidates.reduce((max, value) => (value.gt(max) ? value : max));
      break;
    }
    case "last": {
      const latestEvent = summary.last;
      const latestRollup = rollups.reduce<AcceptedRollup | null>(
        (latest, rollup) => (latest === null || rollup.end >= latest.end ? rollup : latest),
        null,
      );
      let last: Decimal | null = latestEvent?.value ?? null;
      if (latestRollup && (latestEvent === null || latestRollup.end > latestEvent.time)) last = latestRollup.value;
      units = last === null || last.isNegative() ? ZERO : last;
      break;
    }
    case "unique_count":
      units = decimal(summary.uniqueCount).plus(sumOf(rollupValues));
      break;
    case "weighted_sum": {
      const openingLevel = carriedLevel.plus(summary.carriedSum);
      const result = weightedSum(summary, rollups, openingLevel, periodStart, periodEnd);
      units = result.units;
      closingLevel = result.closingLevel;
      break;
    }
  }

  return {
    units: applyRounding(units, metric),
    unroundedUnits: units,
    eventsCount: summary.eventsCount,
    eventValues: summary.periodValues,
    closingLevel,
    ignoredEvents: summary.ignoredEvents,
    ignoredRollups,
  };
}
