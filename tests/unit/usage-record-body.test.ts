import { describe, expect, it, vi } from "vitest";
import { quickUsageRecord, usageRecordBody } from "@/lib/api/schemas/usage";

/**
 * quickUsageRecord is a shortcut for usageRecordBody's common shapes: whatever it accepts, zod must accept with the same
 * result; whatever else it declines (undefined) is left to zod and its error codes.
 */
const base = { external_subscription_id: "sub-1", code: "units", timestamp: "2026-11-29T06:00:00Z", value: "12.5", idempotency_key: "k-1" };
const windowed = { external_subscription_id: "sub-1", code: "units", period_start: "2026-11-01T00:00:00Z", period_end: "2026-11-02T00:00:00.123Z", value: "3", idempotency_key: "k-2" };

const values: unknown[] = [
  "0", "1", "12.5", "-12.5", "0.5", "-0.5", "-0", "0.000000000001", "0.0000000000001", "1.10", "01", "00.5", "1.", ".5", "+1", "1e3",
  " 42 ", "999999999999999", "-999999999999999", "1000000000000000", "1000000000000000.5", "9999999999999999", "abc", "", "  ",
  0, 1, -1, 42, -0, 0.5, 1e15, -1e15, 999999999999999, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, null, true, [], {}, "1".repeat(81),
];
const instants: unknown[] = [
  "2026-11-29T06:00:00Z", "2026-11-29T06:00:00.5Z", "2026-11-29 06:00:00", "2026-11-29", "2026-11-29T06:00:00+05:30", "2026-11-29T06:00:00-0800",
  " 2026-11-29T06:00:00Z ", "2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z", "1999-12-31T23:59:59Z", "2000-01-01T00:00:00Z", "2099-12-31T23:59:59Z",
  "2100-01-01T00:00:00Z", "not a date", "", 1732860000, null, "2026-11-29T06:00:00.1234567890Z", "x".repeat(41),
  // toISOString's own form, which the shortcut reads without parseIsoDateTime: milliseconds of 0–3 digits, calendar edges.
  "2026-11-29T06:00:00.123Z", "2026-11-29T06:00:00.12Z", "2026-11-29T06:00:00.000Z", "2026-11-29T06:00:00.Z", "2026-11-29T06:00:00.1234Z",
  "2028-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2000-02-29T23:59:59.999Z", "2026-04-31T00:00:00Z", "2026-12-31T23:59:59.999Z",
  "2026-00-10T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-29T23:60:00Z", "2026-11-29T23:00:60Z", "2026-11-29t06:00:00z",
  "1999-12-31T23:59:59.999Z", "2099-12-31T23:59:59.999Z", "2026-11-29T06:00:00z", "2026-11-29T06:00Z", "+02026-11-29T06:00:00Z",
];
const texts: unknown[] = ["sub-1", " padded ", "", "   ", "x".repeat(255), "x".repeat(256), " " + "x".repeat(255) + " ", 12, null, "ünïcødé"];

function variants(): unknown[] {
  const out: unknown[] = [base, windowed];
  for (const value of values) out.push({ ...base, value }, { ...windowed, value });
  for (const instant of instants) {
    out.push({ ...base, timestamp: instant }, { ...windowed, period_start: instant }, { ...windowed, period_end: instant });
  }
  for (const text of texts) {
    out.push({ ...base, external_subscription_id: text }, { ...base, code: text }, { ...base, idempotency_key: text });
  }
  const without = (item: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== key));
  out.push(
    without(base, "value"), without(base, "timestamp"), without(windowed, "period_end"),
    { ...base, period_start: windowed.period_start },
    { ...windowed, period_start: "2026-11-03T00:00:00Z" },
    { ...windowed, period_end: windowed.period_start },
    { ...base, extra: 1 },
    { ...base, timestamp: undefined, period_start: windowed.period_start, period_end: windowed.period_end },
    JSON.parse(`{"__proto__": {"x": 1}, "external_subscription_id": "s", "code": "c", "timestamp": "2026-11-29T06:00:00Z", "value": "1", "idempotency_key": "k"}`),
    null, [], "record", 42, [base],
  );
  return out;
}

describe("quickUsageRecord", () => {
  it("accepts only what usageRecordBody accepts, with the same result", () => {
    let accepted = 0;
    for (const item of variants()) {
      const quick = quickUsageRecord(item);
      if (quick === undefined) continue;
      accepted++;
      const parsed = usageRecordBody.safeParse(item);
      expect(parsed.success, JSON.stringify(item)).toBe(true);
      expect(quick, JSON.stringify(item)).toEqual(parsed.data);
    }
    // The shortcut must cover the common shapes, or it is no shortcut.
    expect(accepted).toBeGreaterThan(40);
  });

  it("never takes an empty instant for one, also before any instant was read (a fresh process)", async () => {
    vi.resetModules();
    const fresh = await import("@/lib/api/schemas/usage");
    for (const empty of ["", "  "]) {
      for (const record of [{ ...base, timestamp: empty }, { ...windowed, period_start: empty }, { ...windowed, period_end: empty }]) {
        expect(fresh.quickUsageRecord(record)).toBeUndefined();
        expect(fresh.usageRecordBody.safeParse(record).success).toBe(false);
      }
    }
  });

  it("reads each instant afresh after another one (the last instant read is remembered)", () => {
    const at = (timestamp: string) => quickUsageRecord({ ...base, timestamp })?.periodStart.toISOString();
    expect([at("2026-11-29T06:00:00.5Z"), at("2026-11-29T06:00:00.5Z"), at("2026-11-29T07:00:00Z"), at("2026-11-29T06:00:00.5Z")])
      .toEqual(["2026-11-29T06:00:00.500Z", "2026-11-29T06:00:00.500Z", "2026-11-29T07:00:00.000Z", "2026-11-29T06:00:00.500Z"]);
    // Records never share one Date object.
    expect(quickUsageRecord(base)?.periodStart).not.toBe(quickUsageRecord(base)?.periodStart);
  });

  it("takes the usual records of an app: string and integer values, instants and windows", () => {
    expect(quickUsageRecord(base)).toEqual({
      externalSubscriptionId: "sub-1",
      metricCode: "units",
      periodStart: new Date("2026-11-29T06:00:00Z"),
      periodEnd: new Date("2026-11-29T06:00:00Z"),
      value: "12.5",
      idempotencyKey: "k-1",
    });
    expect(quickUsageRecord({ ...windowed, value: 7 })?.value).toBe("7");
    expect(quickUsageRecord(windowed)?.periodEnd).toEqual(new Date("2026-11-02T00:00:00.123Z"));
  });

  it("leaves anything unusual to zod", () => {
    for (const item of [{ ...base, value: "1.10" }, { ...base, value: 0.5 }, { ...base, extra: 1 }, { ...base, period_end: windowed.period_end }, { ...base, value: null }]) {
      expect(quickUsageRecord(item), JSON.stringify(item)).toBeUndefined();
    }
  });
});
