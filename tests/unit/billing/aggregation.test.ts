import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  aggregateUsage,
  type AggregateUsageInput,
  type BillableMetricRule,
  type UsageEventInput,
  type UsageRollupInput,
} from "@/lib/billing/aggregation";

const d = (value: Decimal.Value) => new Decimal(value);
/** April 2026 in UTC: 30 days. */
const april = { start: new Date("2026-04-01T00:00:00Z"), end: new Date("2026-05-01T00:00:00Z") };

function at(month: number, day: number, hour = 0): Date {
  return new Date(Date.UTC(2026, month - 1, day, hour));
}

function event(transactionId: string, timestamp: Date, properties: Record<string, unknown> = {}): UsageEventInput {
  return { transactionId, timestamp, properties };
}

function rollup(periodStart: Date, periodEnd: Date, value: Decimal.Value): UsageRollupInput {
  return { periodStart, periodEnd, value: d(value) };
}

function aggregate(metric: BillableMetricRule, input: Partial<AggregateUsageInput> = {}) {
  return aggregateUsage({ metric, period: april, ...input });
}

function units(metric: BillableMetricRule, input: Partial<AggregateUsageInput> = {}): string {
  return aggregate(metric, input).units.toString();
}

const count: BillableMetricRule = { aggregation: "count" };
const sum: BillableMetricRule = { aggregation: "sum", fieldName: "gb" };
const max: BillableMetricRule = { aggregation: "max", fieldName: "gb" };
const last: BillableMetricRule = { aggregation: "last", fieldName: "seats" };
const unique: BillableMetricRule = { aggregation: "unique_count", fieldName: "user" };
const weighted: BillableMetricRule = { aggregation: "weighted_sum", fieldName: "gb" };

describe("aggregateUsage — count", () => {
  it("counts the events in [start, end)", () => {
    const result = aggregate(count, {
      events: [
        event("t1", april.start),
        event("t2", at(4, 15)),
        event("t3", new Date("2026-04-30T23:59:59.999Z")),
        event("t4", april.end),
        event("t5", at(3, 31, 23)),
      ],
    });
    expect(result.units.toString()).toBe("3");
    expect(result.eventsCount).toBe(3);
    expect(result.ignoredEvents.map((ignored) => [ignored.transactionId, ignored.reason])).toEqual([
      ["t4", "outside_period"],
      ["t5", "outside_period"],
    ]);
  });

  it("keeps the first copy of a transaction", () => {
    const result = aggregate(count, { events: [event("t1", at(4, 2)), event("t1", at(4, 3))] });
    expect(result.units.toString()).toBe("1");
    expect(result.ignoredEvents).toEqual([{ transactionId: "t1", reason: "duplicate_transaction_id", detail: expect.any(String) }]);
  });

  it("adds rollup counts", () => {
    expect(units(count, { events: [event("t1", at(4, 2))], rollups: [rollup(april.start, at(4, 15), 10)] })).toBe("11");
  });

  it("refuses a fractional or negative rollup count", () => {
    const result = aggregate(count, { rollups: [rollup(april.start, at(4, 15), "2.5"), rollup(april.start, at(4, 15), -1)] });
    expect(result.units.toString()).toBe("0");
    expect(result.ignoredRollups.map((ignored) => [ignored.index, ignored.reason])).toEqual([
      [0, "invalid_value"],
      [1, "invalid_value"],
    ]);
  });

  it("reports an invalid timestamp", () => {
    expect(aggregate(count, { events: [event("t1", new Date("nope"))] }).ignoredEvents[0].reason).toBe("invalid_timestamp");
  });
});

describe("aggregateUsage — sum", () => {
  it("adds numbers and numeric strings, negatives subtracting", () => {
    const result = aggregate(sum, {
      events: [
        event("t1", at(4, 3), { gb: 10 }),
        event("t2", at(4, 1), { gb: "2.5" }),
        event("t3", at(4, 2), { gb: -3 }),
        event("t4", at(4, 4), { gb: " 4 " }),
      ],
    });
    expect(result.units.toString()).toBe("13.5");
    expect(result.eventsCount).toBe(4);
    expect(result.eventValues.map(String)).toEqual(["2.5", "-3", "10", "4"]);
    expect(result.closingLevel).toBeNull();
  });

  it("adds decimal values exactly", () => {
    expect(units(sum, { events: [event("t1", at(4, 2), { gb: 0.1 }), event("t2", at(4, 3), { gb: 0.2 })] })).toBe("0.3");
  });

  it("reports values it cannot read instead of throwing", () => {
    const result = aggregate(sum, {
      events: [
        event("ok", at(4, 2), { gb: 1 }),
        event("text", at(4, 2), { gb: "abc" }),
        event("absent", at(4, 2), { other: 1 }),
        event("null", at(4, 2), { gb: null }),
        event("bool", at(4, 2), { gb: true }),
        event("hex", at(4, 2), { gb: "0x10" }),
        event("nan", at(4, 2), { gb: Number.NaN }),
        event("inf", at(4, 2), { gb: Number.POSITIVE_INFINITY }),
        event("object", at(4, 2), { gb: { value: 1 } }),
      ],
    });
    expect(result.units.toString()).toBe("1");
    expect(Object.fromEntries(result.ignoredEvents.map((ignored) => [ignored.transactionId, ignored.reason]))).toEqual({
      text: "non_numeric_value",
      absent: "missing_field",
      null: "missing_field",
      bool: "non_numeric_value",
      hex: "non_numeric_value",
      nan: "non_numeric_value",
      inf: "non_numeric_value",
      object: "non_numeric_value",
    });
  });

  it("adds rollups inside the period (an instant counts too) and reports the others", () => {
    const result = aggregate(sum, {
      events: [event("t1", at(4, 2), { gb: 1 })],
      rollups: [
        rollup(at(4, 1), at(4, 16), 100),
        rollup(at(3, 25), at(4, 5), 7),
        rollup(at(3, 1), at(3, 31), 7),
        rollup(at(4, 10), at(4, 10), 7),
      ],
    });
    expect(result.units.toString()).toBe("108");
    expect(result.ignoredRollups.map((ignored) => [ignored.index, ignored.reason])).toEqual([
      [1, "straddles_period"],
      [2, "outside_period"],
    ]);
  });

  it("carries earlier events and a carried level into a recurring sum", () => {
    const result = aggregate(
      { ...sum, recurring: true },
      { events: [event("march", at(3, 15), { gb: 50 }), event("april", at(4, 10), { gb: 10 })], carriedLevel: d(5) },
    );
    expect(result.units.toString()).toBe("65");
    expect(result.eventsCount).toBe(1);
    expect(result.eventValues.map(String)).toEqual(["10"]);
    expect(result.ignoredEvents).toEqual([]);
  });
});

describe("aggregateUsage — max", () => {
  const events = [event("t1", at(4, 2), { gb: 5 }), event("t2", at(4, 3), { gb: 12 }), event("t3", at(4, 4), { gb: "7" })];

  it("takes the largest value", () => {
    expect(units(max, { events })).toBe("12");
    expect(units(max, { events: [event("t1", at(4, 2), { gb: -5 }), event("t2", at(4, 3), { gb: -2 })] })).toBe("-2");
  });

  it("compares rollups with events", () => {
    expect(units(max, { events, rollups: [rollup(at(4, 1), at(4, 2), 20)] })).toBe("20");
    expect(units(max, { events, rollups: [rollup(at(4, 1), at(4, 2), 3)] })).toBe("12");
  });

  it("is 0 with no usage", () => {
    expect(units(max)).toBe("0");
  });
});

describe("aggregateUsage — last", () => {
  const events = [event("t1", at(4, 5), { seats: 5 }), event("t2", at(4, 20), { seats: 7 }), event("t3", at(4, 10), { seats: 9 })];

  it("takes the value of the last event by timestamp", () => {
    expect(units(last, { events })).toBe("7");
  });

  it("floors a negative last value at 0", () => {
    expect(units(last, { events: [...events, event("t4", at(4, 25), { seats: -4 })] })).toBe("0");
  });

  it("breaks a timestamp tie by input order", () => {
    expect(units(last, { events: [event("a", at(4, 5), { seats: 1 }), event("b", at(4, 5), { seats: 2 })] })).toBe("2");
  });

  it("compares rollups by their window end", () => {
    expect(units(last, { events, rollups: [rollup(april.start, april.end, 3)] })).toBe("3");
    expect(units(last, { events, rollups: [rollup(april.start, at(4, 10), 3)] })).toBe("7");
    // A rollup ending at the last event's instant loses to the event.
    expect(units(last, { events, rollups: [rollup(april.start, at(4, 20), 3)] })).toBe("7");
    expect(units(last, { rollups: [rollup(april.start, at(4, 10), 3), rollup(at(4, 5), at(4, 10), 4)] })).toBe("4");
  });

  it("is 0 with no usage", () => {
    expect(units(last)).toBe("0");
  });
});

describe("aggregateUsage — unique_count", () => {
  it("counts the values present after replaying adds and removes", () => {
    const result = aggregate(unique, {
      events: [
        event("1", at(4, 1), { user: "a" }),
        event("2", at(4, 2), { user: "b" }),
        event("3", at(4, 3), { user: "a" }),
        event("4", at(4, 4), { user: "c", operation_type: "add" }),
        event("5", at(4, 5), { user: "b", operation_type: "remove" }),
      ],
    });
    expect(result.units.toString()).toBe("2");
    expect(result.eventValues).toEqual([]);
  });

  it("treats a repeated add as one and a remove of an absent value as nothing", () => {
    expect(
      units(unique, {
        events: [
          event("1", at(4, 1), { user: "x" }),
          event("2", at(4, 2), { user: "x" }),
          event("3", at(4, 3), { user: "x", operation_type: "remove" }),
          event("4", at(4, 4), { user: "y", operation_type: "remove" }),
          event("5", at(4, 5), { user: "y" }),
        ],
      }),
    ).toBe("1");
  });

  it("replays in timestamp order, not input order", () => {
    expect(
      units(unique, {
        events: [event("2", at(4, 5), { user: "x", operation_type: "remove" }), event("1", at(4, 1), { user: "x" })],
      }),
    ).toBe("0");
  });

  it("treats 1 and \"1\" as the same value, and compares objects by content", () => {
    expect(
      units(unique, {
        events: [
          event("1", at(4, 1), { user: 1 }),
          event("2", at(4, 2), { user: "1" }),
          event("3", at(4, 3), { user: { id: 7 } }),
          event("4", at(4, 4), { user: { id: 7 } }),
        ],
      }),
    ).toBe("2");
  });

  it("reports an unknown operation type", () => {
    const result = aggregate(unique, { events: [event("1", at(4, 1), { user: "a", operation_type: "delete" })] });
    expect(result.units.toString()).toBe("0");
    expect(result.ignoredEvents[0].reason).toBe("invalid_operation_type");
  });

  it("adds rollup counts and refuses fractional ones", () => {
    const result = aggregate(unique, {
      events: [event("1", at(4, 1), { user: "a" })],
      rollups: [rollup(at(4, 1), at(4, 30), 5), rollup(at(4, 1), at(4, 30), "2.5")],
    });
    expect(result.units.toString()).toBe("6");
    expect(result.ignoredRollups.map((ignored) => ignored.reason)).toEqual(["invalid_value"]);
  });

  it("keeps values added before the period when recurring, and drops them when metered", () => {
    const events = [event("march", at(3, 20), { user: "a" }), event("april", at(4, 3), { user: "b" })];
    expect(units({ ...unique, recurring: true }, { events })).toBe("2");
    const metered = aggregate(unique, { events });
    expect(metered.units.toString()).toBe("1");
    expect(metered.ignoredEvents.map((ignored) => ignored.reason)).toEqual(["outside_period"]);
    expect(
      units({ ...unique, recurring: true }, { events: [...events, event("gone", at(4, 9), { user: "a", operation_type: "remove" })] }),
    ).toBe("1");
  });
});

describe("aggregateUsage — weighted_sum", () => {
  const deltas = [event("up", at(4, 11), { gb: 10 }), event("down", at(4, 21), { gb: -5 })];

  it("reproduces Lago's example: +10 on day 10, −5 on day 20 of a 30-day month is 5 units", () => {
    const result = aggregate(weighted, { events: deltas });
    expect(result.units.toString()).toBe("5");
    expect(result.closingLevel?.toString()).toBe("5");
    expect(result.eventsCount).toBe(2);
    expect(result.eventValues.map(String)).toEqual(["10", "-5"]);
  });

  it("starts a recurring metric at the carried level", () => {
    const result = aggregate({ ...weighted, recurring: true }, { events: deltas, carriedLevel: d(3) });
    expect(result.units.toString()).toBe("8");
    expect(result.closingLevel?.toString()).toBe("8");
  });

  it("folds earlier events of a recurring metric into the opening level", () => {
    const result = aggregate({ ...weighted, recurring: true }, { events: [event("march", at(3, 20), { gb: 4 }), ...deltas] });
    expect(result.units.toString()).toBe("9");
    expect(result.closingLevel?.toString()).toBe("9");
    expect(result.eventsCount).toBe(2);
  });

  it("weights by the exact time held", () => {
    const result = aggregate(weighted, { events: [event("t1", at(4, 1, 12), { gb: 1 })] });
    expect(result.unroundedUnits.toFixed(6)).toBe("0.983333"); // held 29.5 of 30 days
    expect(units({ ...weighted, roundingFunction: "round", roundingPrecision: 2 }, { events: [event("t1", at(4, 1, 12), { gb: 1 })] })).toBe(
      "0.98",
    );
    expect(units(weighted, { events: [event("t1", april.start, { gb: 10 })] })).toBe("10");
  });

  it("adds a rollup as a level held over its window, clipped to the period", () => {
    expect(units(weighted, { events: deltas, rollups: [rollup(april.start, april.end, 6)] })).toBe("11");
    expect(units(weighted, { events: deltas, rollups: [rollup(at(4, 16), at(5, 16), 6)] })).toBe("8");
    const outside = aggregate(weighted, { events: deltas, rollups: [rollup(at(5, 1), at(5, 16), 6)] });
    expect(outside.units.toString()).toBe("5");
    expect(outside.ignoredRollups[0].reason).toBe("outside_period");
    expect(outside.closingLevel?.toString()).toBe("5");
  });

  it("divides by the period's real length, so a DST month keeps a constant level exact", () => {
    const torontoMarch = { start: new Date("2026-03-01T05:00:00Z"), end: new Date("2026-04-01T04:00:00Z") };
    const recurring = { ...weighted, recurring: true };
    expect(aggregateUsage({ metric: recurring, period: torontoMarch, carriedLevel: d(10) }).units.toString()).toBe("10");
    // Held from local midnight on March 16 (after the change): 384 of the month's 743 hours.
    const half = aggregateUsage({ metric: weighted, period: torontoMarch, events: [event("t1", new Date("2026-03-16T04:00:00Z"), { gb: 10 })] });
    expect(half.units.toFixed(6)).toBe("5.168237");
  });
});

describe("aggregateUsage — rounding", () => {
  const events = (value: Decimal.Value) => [event("t1", at(4, 2), { gb: String(value) })];

  it("rounds, ceils or floors to the precision after aggregating", () => {
    expect(units({ ...sum, roundingFunction: "round", roundingPrecision: 2 }, { events: events("10.125") })).toBe("10.13");
    expect(units({ ...sum, roundingFunction: "ceil" }, { events: events("10.125") })).toBe("11");
    expect(units({ ...sum, roundingFunction: "floor", roundingPrecision: 0 }, { events: events("10.925") })).toBe("10");
    expect(units({ ...sum, roundingFunction: "round", roundingPrecision: -1 }, { events: events(125) })).toBe("130");
  });

  it("rounds negative ties away from zero and ceils them towards it", () => {
    expect(units({ ...sum, roundingFunction: "round" }, { events: events("-2.5") })).toBe("-3");
    expect(units({ ...sum, roundingFunction: "ceil" }, { events: events("-2.5") })).toBe("-2");
    expect(units({ ...sum, roundingFunction: "floor" }, { events: events("-2.5") })).toBe("-3");
  });

  it("keeps the unrounded units and leaves units alone without a function", () => {
    const result = aggregate({ ...sum, roundingFunction: "round" }, { events: events("10.5") });
    expect([result.units.toString(), result.unroundedUnits.toString()]).toEqual(["11", "10.5"]);
    expect(units({ ...sum, roundingPrecision: 0 }, { events: events("10.5") })).toBe("10.5");
  });
});

describe("aggregateUsage — configuration errors", () => {
  it("refuses metrics Lago would not accept", () => {
    expect(() => aggregate({ aggregation: "sum" })).toThrow(RangeError);
    expect(() => aggregate({ ...count, recurring: true })).toThrow(RangeError);
    expect(() => aggregate({ ...max, recurring: true })).toThrow(RangeError);
    expect(() => aggregate({ ...sum, roundingFunction: "truncate" as never })).toThrow(RangeError);
    expect(() => aggregate({ ...sum, roundingPrecision: 1.5 })).toThrow(RangeError);
    expect(() => aggregate({ aggregation: "custom" as never, fieldName: "x" })).toThrow(RangeError);
  });

  it("refuses an empty period", () => {
    expect(() => aggregateUsage({ metric: count, period: { start: april.end, end: april.start } })).toThrow(RangeError);
  });

  it("refuses a carried level where no level carries", () => {
    expect(() => aggregate(weighted, { carriedLevel: d(1) })).toThrow(RangeError);
    expect(() => aggregate(count, { carriedLevel: d(1) })).toThrow(RangeError);
    expect(units({ ...weighted, recurring: true }, { carriedLevel: d(0) })).toBe("0");
  });
});

describe("instant rollups (zero-length windows)", () => {
  const period = { start: new Date("2026-03-01T05:00:00Z"), end: new Date("2026-04-01T04:00:00Z") };
  const at = (iso: string, value: string) => ({ periodStart: new Date(iso), periodEnd: new Date(iso), value: d(value) });

  it("count in the period that contains the instant", () => {
    const result = aggregateUsage({
      metric: { aggregation: "sum", fieldName: "v" },
      period,
      rollups: [at("2026-03-10T00:00:00Z", "2.5"), at("2026-04-01T04:00:00Z", "100"), at("2026-03-01T05:00:00Z", "1")],
    });
    expect(result.units.toString()).toBe("3.5");
    expect(result.ignoredRollups.map((r) => [r.index, r.reason])).toEqual([[1, "outside_period"]]);
  });

  it("are refused for weighted_sum, which needs a duration", () => {
    const result = aggregateUsage({ metric: { aggregation: "weighted_sum", fieldName: "v" }, period, rollups: [at("2026-03-10T00:00:00Z", "4")] });
    expect(result.units.toString()).toBe("0");
    expect(result.ignoredRollups[0].reason).toBe("invalid_window");
  });
});
