import { describe, expect, it } from "vitest";
import {
  nextPeriod,
  periodContaining,
  periodContainingDate,
  periodsEndedBetween,
  type BillingPeriod,
  type BillingSchedule,
} from "@/lib/billing/billing-periods";

const TORONTO = "America/Toronto";

function schedule(overrides: Partial<BillingSchedule> = {}): BillingSchedule {
  return { interval: "monthly", billingTime: "calendar", anchorDate: "2026-01-01", timezone: TORONTO, ...overrides };
}

function summary(period: BillingPeriod) {
  return { firstDay: period.firstDay, lastDay: period.lastDay, days: period.days };
}

describe("periodContaining — calendar billing", () => {
  it("aligns a month to the 1st and counts whole days across the spring DST change", () => {
    const period = periodContaining(new Date("2026-03-15T12:00:00Z"), schedule());
    expect(period.start.toISOString()).toBe("2026-03-01T05:00:00.000Z");
    expect(period.end.toISOString()).toBe("2026-04-01T04:00:00.000Z");
    expect(summary(period)).toEqual({ firstDay: "2026-03-01", lastDay: "2026-03-31", days: 31 });
  });

  it("counts whole days across the autumn DST change", () => {
    const period = periodContaining(new Date("2026-11-15T12:00:00Z"), schedule());
    expect(period.start.toISOString()).toBe("2026-11-01T04:00:00.000Z");
    expect(period.end.toISOString()).toBe("2026-12-01T05:00:00.000Z");
    expect(period.days).toBe(30);
  });

  it("puts a boundary instant in the period it starts", () => {
    expect(periodContaining(new Date("2026-04-01T04:00:00.000Z"), schedule()).firstDay).toBe("2026-04-01");
    expect(periodContaining(new Date("2026-04-01T03:59:59.999Z"), schedule()).firstDay).toBe("2026-03-01");
  });

  it("uses the customer's timezone to place an instant", () => {
    const instant = new Date("2026-01-01T03:00:00Z");
    expect(summary(periodContaining(instant, schedule()))).toEqual({ firstDay: "2025-12-01", lastDay: "2025-12-31", days: 31 });
    expect(periodContaining(instant, schedule({ timezone: "UTC" })).firstDay).toBe("2026-01-01");
  });

  it("aligns quarters to January, April, July and October", () => {
    const quarterly = schedule({ interval: "quarterly" });
    expect(summary(periodContaining(new Date("2026-05-20T12:00:00Z"), quarterly))).toEqual({
      firstDay: "2026-04-01",
      lastDay: "2026-06-30",
      days: 91,
    });
    expect(periodContaining(new Date("2026-02-10T12:00:00Z"), quarterly).days).toBe(90);
    expect(periodContaining(new Date("2028-02-10T12:00:00Z"), quarterly).days).toBe(91);
    expect(periodContaining(new Date("2026-12-31T12:00:00Z"), quarterly).firstDay).toBe("2026-10-01");
  });

  it("aligns half-years to January and July", () => {
    const semiannual = schedule({ interval: "semiannual" });
    expect(summary(periodContaining(new Date("2026-08-01T12:00:00Z"), semiannual))).toEqual({
      firstDay: "2026-07-01",
      lastDay: "2026-12-31",
      days: 184,
    });
    expect(periodContaining(new Date("2026-06-30T12:00:00Z"), semiannual).days).toBe(181);
  });

  it("aligns years to January 1 and counts leap years", () => {
    const yearly = schedule({ interval: "yearly" });
    const leap = periodContaining(new Date("2028-06-01T12:00:00Z"), yearly);
    expect(summary(leap)).toEqual({ firstDay: "2028-01-01", lastDay: "2028-12-31", days: 366 });
    expect(leap.start.toISOString()).toBe("2028-01-01T05:00:00.000Z");
    expect(leap.end.toISOString()).toBe("2029-01-01T05:00:00.000Z");
    expect(periodContaining(new Date("2026-06-01T12:00:00Z"), yearly).days).toBe(365);
  });

  it("starts weeks on Monday", () => {
    const period = periodContaining(new Date("2026-03-11T15:00:00Z"), schedule({ interval: "weekly" }));
    expect(summary(period)).toEqual({ firstDay: "2026-03-09", lastDay: "2026-03-15", days: 7 });
    expect(period.start.toISOString()).toBe("2026-03-09T04:00:00.000Z");
    expect(period.end.toISOString()).toBe("2026-03-16T04:00:00.000Z");
  });

  it("keeps a 167-hour DST week at 7 days", () => {
    const period = periodContaining(new Date("2026-03-08T15:00:00Z"), schedule({ interval: "weekly" }));
    expect(summary(period)).toEqual({ firstDay: "2026-03-02", lastDay: "2026-03-08", days: 7 });
    expect(period.end.getTime() - period.start.getTime()).toBe(167 * 3_600_000);
  });
});

describe("periodContaining — anniversary billing", () => {
  const jan31 = schedule({ billingTime: "anniversary", anchorDate: "2026-01-31" });

  it("falls back from the 31st to the month's last day and back again", () => {
    expect(summary(periodContaining(new Date("2026-02-15T12:00:00Z"), jan31))).toEqual({
      firstDay: "2026-01-31",
      lastDay: "2026-02-27",
      days: 28,
    });
    expect(summary(periodContaining(new Date("2026-03-15T12:00:00Z"), jan31))).toEqual({
      firstDay: "2026-02-28",
      lastDay: "2026-03-30",
      days: 31,
    });
    expect(summary(periodContaining(new Date("2026-04-15T12:00:00Z"), jan31))).toEqual({
      firstDay: "2026-03-31",
      lastDay: "2026-04-29",
      days: 30,
    });
  });

  it("uses February 29 in a leap year", () => {
    const leap = schedule({ billingTime: "anniversary", anchorDate: "2028-01-31" });
    expect(summary(periodContaining(new Date("2028-02-10T12:00:00Z"), leap))).toEqual({
      firstDay: "2028-01-31",
      lastDay: "2028-02-28",
      days: 29,
    });
    expect(summary(periodContaining(new Date("2028-03-01T12:00:00Z"), leap))).toEqual({
      firstDay: "2028-02-29",
      lastDay: "2028-03-30",
      days: 31,
    });
  });

  it("renews a February 29 yearly anniversary on February 28 in common years", () => {
    const feb29 = schedule({ interval: "yearly", billingTime: "anniversary", anchorDate: "2028-02-29" });
    expect(summary(periodContaining(new Date("2028-06-01T12:00:00Z"), feb29))).toEqual({
      firstDay: "2028-02-29",
      lastDay: "2029-02-27",
      days: 365,
    });
    expect(summary(periodContaining(new Date("2029-03-01T12:00:00Z"), feb29))).toEqual({
      firstDay: "2029-02-28",
      lastDay: "2030-02-27",
      days: 365,
    });
    expect(summary(periodContaining(new Date("2031-06-01T12:00:00Z"), feb29))).toEqual({
      firstDay: "2031-02-28",
      lastDay: "2032-02-28",
      days: 366,
    });
  });

  it("steps quarters and half-years from the anchor month", () => {
    const quarterly = schedule({ interval: "quarterly", billingTime: "anniversary", anchorDate: "2025-11-30" });
    expect(summary(periodContaining(new Date("2026-03-15T12:00:00Z"), quarterly))).toEqual({
      firstDay: "2026-02-28",
      lastDay: "2026-05-29",
      days: 91,
    });
    const semiannual = schedule({ interval: "semiannual", billingTime: "anniversary", anchorDate: "2026-08-31" });
    expect(summary(periodContaining(new Date("2027-01-10T12:00:00Z"), semiannual))).toEqual({
      firstDay: "2026-08-31",
      lastDay: "2027-02-27",
      days: 181,
    });
  });

  it("starts weekly periods on the anchor's weekday", () => {
    const weekly = schedule({ interval: "weekly", billingTime: "anniversary", anchorDate: "2026-01-07" });
    expect(summary(periodContaining(new Date("2026-03-10T15:00:00Z"), weekly))).toEqual({
      firstDay: "2026-03-04",
      lastDay: "2026-03-10",
      days: 7,
    });
  });

  it("starts the first period at local midnight of the anchor date", () => {
    const jan15 = schedule({ billingTime: "anniversary", anchorDate: "2026-01-15" });
    const first = periodContaining(new Date("2026-01-15T05:00:00Z"), jan15);
    expect(first.firstDay).toBe("2026-01-15");
    expect(first.start.toISOString()).toBe("2026-01-15T05:00:00.000Z");
  });

  it("extends the recurrence backwards before the anchor", () => {
    const jan15 = schedule({ billingTime: "anniversary", anchorDate: "2026-01-15" });
    expect(summary(periodContaining(new Date("2025-12-20T12:00:00Z"), jan15))).toEqual({
      firstDay: "2025-12-15",
      lastDay: "2026-01-14",
      days: 31,
    });
  });
});

describe("periodContainingDate", () => {
  it("finds the period of a local date", () => {
    const jan31 = schedule({ billingTime: "anniversary", anchorDate: "2026-01-31" });
    expect(summary(periodContainingDate("2026-02-28", jan31))).toEqual({ firstDay: "2026-02-28", lastDay: "2026-03-30", days: 31 });
    expect(periodContainingDate("2026-02-27", jan31).firstDay).toBe("2026-01-31");
  });
});

describe("nextPeriod", () => {
  it("follows on from the previous end across a year", () => {
    const december = periodContaining(new Date("2026-12-15T12:00:00Z"), schedule());
    const january = nextPeriod(december, schedule());
    expect(january.start.getTime()).toBe(december.end.getTime());
    expect(summary(january)).toEqual({ firstDay: "2027-01-01", lastDay: "2027-01-31", days: 31 });
  });

  it("chains anniversary periods without drifting after a short month", () => {
    const jan31 = schedule({ billingTime: "anniversary", anchorDate: "2026-01-31" });
    let period = periodContainingDate("2026-01-31", jan31);
    const firstDays = [period.firstDay];
    for (let i = 0; i < 3; i += 1) {
      period = nextPeriod(period, jan31);
      firstDays.push(period.firstDay);
    }
    expect(firstDays).toEqual(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]);
  });
});

describe("periodsEndedBetween", () => {
  const monthly = schedule();

  it("returns every period ending after the last run and up to this one", () => {
    const periods = periodsEndedBetween(new Date("2026-01-31T12:00:00Z"), new Date("2026-04-01T04:00:00Z"), monthly);
    expect(periods.map((period) => period.firstDay)).toEqual(["2026-01-01", "2026-02-01", "2026-03-01"]);
  });

  it("leaves out a period that ended exactly at the previous run", () => {
    const periods = periodsEndedBetween(new Date("2026-03-01T05:00:00Z"), new Date("2026-04-01T04:00:00Z"), monthly);
    expect(periods.map((period) => period.firstDay)).toEqual(["2026-03-01"]);
    const justBefore = periodsEndedBetween(new Date("2026-04-01T03:59:59.999Z"), new Date("2026-04-01T04:00:00Z"), monthly);
    expect(justBefore.map((period) => period.firstDay)).toEqual(["2026-03-01"]);
  });

  it("is empty for an empty or reversed window", () => {
    const instant = new Date("2026-03-01T05:00:00Z");
    expect(periodsEndedBetween(instant, instant, monthly)).toEqual([]);
    expect(periodsEndedBetween(instant, new Date("2026-02-01T00:00:00Z"), monthly)).toEqual([]);
  });

  it("lists weekly periods across the DST change", () => {
    const weeks = periodsEndedBetween(new Date("2026-03-01T00:00:00Z"), new Date("2026-03-31T00:00:00Z"), schedule({ interval: "weekly" }));
    expect(weeks.map((period) => period.firstDay)).toEqual(["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]);
    expect(weeks.every((period) => period.days === 7)).toBe(true);
  });
});

describe("schedule validation", () => {
  const instant = new Date("2026-03-15T12:00:00Z");

  it("rejects unknown intervals, billing times, anchors and zones", () => {
    expect(() => periodContaining(instant, schedule({ interval: "daily" as never }))).toThrow(RangeError);
    expect(() => periodContaining(instant, schedule({ billingTime: "hourly" as never }))).toThrow(RangeError);
    expect(() => periodContaining(instant, schedule({ anchorDate: "2026-02-30" }))).toThrow(RangeError);
    expect(() => periodContaining(instant, schedule({ timezone: "Mars/Olympus_Mons" }))).toThrow(RangeError);
  });
});
