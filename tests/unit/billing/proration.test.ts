import { describe, expect, it } from "vitest";
import { centsToDecimal, roundToCents } from "@/lib/billing/money";
import { periodContainingDate, type BillingSchedule } from "@/lib/billing/billing-periods";
import {
  firstPeriodFee,
  periodFraction,
  proratedFee,
  terminationProration,
  upgradeProration,
  type PlanFee,
} from "@/lib/billing/proration";

const TORONTO = "America/Toronto";
const monthly: BillingSchedule = { interval: "monthly", billingTime: "calendar", anchorDate: "2026-01-01", timezone: TORONTO };
const january = periodContainingDate("2026-01-10", monthly);
const march = periodContainingDate("2026-03-10", monthly);
const november = periodContainingDate("2026-11-10", monthly);
const feb2027 = periodContainingDate("2027-02-10", monthly);
const feb2028 = periodContainingDate("2028-02-10", monthly);

function arrears(amountCents: bigint, period = january, extra: Partial<PlanFee> = {}): PlanFee {
  return { amountCents, payInAdvance: false, period, ...extra };
}

function advance(amountCents: bigint, period = january, extra: Partial<PlanFee> = {}): PlanFee {
  return { amountCents, payInAdvance: true, period, ...extra };
}

describe("proratedFee", () => {
  it("prices the days used out of the full period, both ends included", () => {
    const fee = proratedFee(10000n, january, "2026-01-01", "2026-01-14");
    expect(fee.amountCents).toBe(4516n);
    expect(fee.amount.toDecimalPlaces(6).toString()).toBe("45.16129");
    expect(fee).toMatchObject({ fromDate: "2026-01-01", toDate: "2026-01-14", days: 14, periodDays: 31 });
  });

  it("uses the length of February, leap or not", () => {
    expect(proratedFee(10000n, feb2028, "2028-02-15", "2028-02-29")).toMatchObject({ amountCents: 5172n, days: 15, periodDays: 29 });
    expect(proratedFee(10000n, feb2027, "2027-02-15", "2027-02-28")).toMatchObject({ amountCents: 5000n, days: 14, periodDays: 28 });
  });

  it("rounds an exact half cent up, and a credit symmetrically", () => {
    expect(proratedFee(2n, feb2027, "2027-02-01", "2027-02-07").amountCents).toBe(1n);
    expect(proratedFee(-2n, feb2027, "2027-02-01", "2027-02-07").amountCents).toBe(-1n);
  });

  it("rounds in integers exactly as rounding the exact amount would", () => {
    for (const cents of [1n, 2n, 3n, 999n, 2500n, 10001n, -7n, 123456789n]) {
      for (let days = 0; days <= 31; days++) {
        const fee = proratedFee(cents, january, "2026-01-01", days === 0 ? "2025-12-31" : `2026-01-${String(days).padStart(2, "0")}`);
        expect(fee.amountCents).toBe(roundToCents(fee.amount));
        expect(fee.amount.equals(centsToDecimal(cents).mul(days).div(31))).toBe(true);
      }
    }
  });

  it("charges the whole amount for the whole period, even a DST month", () => {
    expect(proratedFee(10000n, march, "2026-03-01", "2026-03-31")).toMatchObject({ amountCents: 10000n, days: 31 });
    expect(proratedFee(10000n, november, "2026-11-01", "2026-11-30")).toMatchObject({ amountCents: 10000n, days: 30 });
  });

  it("allows an empty range next to either end", () => {
    expect(proratedFee(10000n, january, "2026-01-01", "2025-12-31")).toMatchObject({ amountCents: 0n, days: 0 });
    expect(proratedFee(10000n, january, "2026-02-01", "2026-01-31")).toMatchObject({ amountCents: 0n, days: 0 });
  });

  it("refuses days outside the period or a reversed range", () => {
    expect(() => proratedFee(10000n, january, "2025-12-31", "2026-01-10")).toThrow(RangeError);
    expect(() => proratedFee(10000n, january, "2026-01-10", "2026-02-01")).toThrow(RangeError);
    expect(() => proratedFee(10000n, january, "2026-01-10", "2026-01-08")).toThrow(RangeError);
    expect(() => proratedFee(10000n, january, "2026-01-32", "2026-01-31")).toThrow(RangeError);
  });
});

describe("periodFraction", () => {
  it("is the exact share of days", () => {
    const fraction = periodFraction(january, "2026-01-01", "2026-01-14");
    expect(fraction.toFixed(12)).toBe("0.451612903226");
    expect(fraction.mul(31).toDecimalPlaces(40).toString()).toBe("14");
    expect(periodFraction(feb2028, "2028-02-01", "2028-02-29").toString()).toBe("1");
  });
});

describe("firstPeriodFee", () => {
  it("prorates a calendar period from the start date", () => {
    expect(firstPeriodFee(10000n, january, "2026-01-10")).toMatchObject({ amountCents: 7097n, days: 22, periodDays: 31 });
  });

  it("bills an anniversary period whole, since it starts on the start date", () => {
    const anniversary = periodContainingDate("2026-01-10", { ...monthly, billingTime: "anniversary", anchorDate: "2026-01-10" });
    expect(firstPeriodFee(10000n, anniversary, "2026-01-10")).toMatchObject({ amountCents: 10000n, days: 31 });
  });

  it("refuses a start date outside the period", () => {
    expect(() => firstPeriodFee(10000n, january, "2026-02-01")).toThrow(RangeError);
  });
});

describe("upgradeProration", () => {
  it("reproduces Lago's documented example: €100 → €200 on January 15", () => {
    const result = upgradeProration({
      upgradeDate: "2026-01-15",
      previousPlan: arrears(10000n),
      nextPlan: { amountCents: 20000n, period: january },
    });
    expect(result.previousPlanCharge).toMatchObject({ amountCents: 4516n, fromDate: "2026-01-01", toDate: "2026-01-14", days: 14 });
    expect(result.nextPlanCharge).toMatchObject({ amountCents: 10968n, fromDate: "2026-01-15", toDate: "2026-01-31", days: 17 });
    expect(result.previousPlanCredit).toBeNull();
  });

  it("credits an advance plan for the unused days, the upgrade day included", () => {
    const result = upgradeProration({
      upgradeDate: "2026-01-15",
      previousPlan: advance(10000n),
      nextPlan: { amountCents: 20000n, period: january },
    });
    expect(result.previousPlanCharge).toBeNull();
    expect(result.previousPlanCredit).toMatchObject({ amountCents: 5484n, fromDate: "2026-01-15", toDate: "2026-01-31", days: 17 });
    expect(result.nextPlanCharge.amountCents).toBe(10968n);
  });

  it("never credits more than was billed for the period", () => {
    const result = upgradeProration({
      upgradeDate: "2026-01-15",
      previousPlan: advance(10000n, january, { billedCents: 5000n }),
      nextPlan: { amountCents: 20000n, period: january },
    });
    expect(result.previousPlanCredit?.amountCents).toBe(5000n);
    expect(result.previousPlanCredit?.amount.toString()).toBe("50");
  });

  it("bills an arrears plan from its own start when it began mid-period", () => {
    const result = upgradeProration({
      upgradeDate: "2026-01-15",
      previousPlan: arrears(10000n, january, { startDate: "2026-01-10" }),
      nextPlan: { amountCents: 20000n, period: january },
    });
    expect(result.previousPlanCharge).toMatchObject({ amountCents: 1613n, fromDate: "2026-01-10", days: 5 });
  });

  it("bills nothing for the old plan on an upgrade on the first day", () => {
    const result = upgradeProration({
      upgradeDate: "2026-01-01",
      previousPlan: arrears(10000n),
      nextPlan: { amountCents: 20000n, period: january },
    });
    expect(result.previousPlanCharge).toMatchObject({ amountCents: 0n, days: 0 });
    expect(result.nextPlanCharge).toMatchObject({ amountCents: 20000n, days: 31 });
  });

  it("prices a move to a yearly plan over the new plan's year", () => {
    const year2026 = periodContainingDate("2026-01-15", { ...monthly, interval: "yearly" });
    const result = upgradeProration({
      upgradeDate: "2026-01-15",
      previousPlan: arrears(10000n),
      nextPlan: { amountCents: 120000n, period: year2026 },
    });
    expect(result.nextPlanCharge).toMatchObject({ amountCents: 115397n, days: 351, periodDays: 365 });
    expect(result.previousPlanCharge?.amountCents).toBe(4516n);
  });

  it("counts the DST day as one whole day", () => {
    const result = upgradeProration({
      upgradeDate: "2026-03-08",
      previousPlan: arrears(10000n, march),
      nextPlan: { amountCents: 20000n, period: march },
    });
    expect(result.previousPlanCharge).toMatchObject({ amountCents: 2258n, days: 7 });
    expect(result.nextPlanCharge).toMatchObject({ amountCents: 15484n, days: 24 });
  });

  it("refuses an upgrade date outside either period", () => {
    expect(() =>
      upgradeProration({ upgradeDate: "2026-02-01", previousPlan: arrears(10000n), nextPlan: { amountCents: 1n, period: january } }),
    ).toThrow(RangeError);
    expect(() =>
      upgradeProration({ upgradeDate: "2026-01-15", previousPlan: arrears(10000n), nextPlan: { amountCents: 1n, period: march } }),
    ).toThrow(RangeError);
  });
});

describe("terminationProration", () => {
  it("bills an arrears plan through the termination day", () => {
    expect(terminationProration(arrears(10000n), "2026-01-20")).toEqual({
      charge: expect.objectContaining({ amountCents: 6452n, fromDate: "2026-01-01", toDate: "2026-01-20", days: 20 }),
      credit: null,
    });
  });

  it("credits an advance plan for the days after the termination day", () => {
    expect(terminationProration(advance(10000n), "2026-01-20")).toEqual({
      charge: null,
      credit: expect.objectContaining({ amountCents: 3548n, fromDate: "2026-01-21", toDate: "2026-01-31", days: 11 }),
    });
  });

  it("credits nothing on the period's last day", () => {
    expect(terminationProration(advance(10000n), "2026-01-31").credit).toMatchObject({ amountCents: 0n, days: 0 });
  });

  it("bills from a mid-period start", () => {
    expect(terminationProration(arrears(10000n, january, { startDate: "2026-01-10" }), "2026-01-20").charge).toMatchObject({
      amountCents: 3548n,
      days: 11,
    });
  });

  it("counts the autumn DST day as a whole day", () => {
    expect(terminationProration(arrears(10000n, november), "2026-11-01").charge).toMatchObject({ amountCents: 333n, days: 1 });
  });

  it("works for weekly and yearly plans", () => {
    const week = periodContainingDate("2026-03-11", { ...monthly, interval: "weekly" });
    expect(terminationProration(arrears(7000n, week), "2026-03-11").charge).toMatchObject({ amountCents: 3000n, days: 3 });
    const year2028 = periodContainingDate("2028-02-29", { ...monthly, interval: "yearly" });
    expect(terminationProration(arrears(36600n, year2028), "2028-02-29").charge).toMatchObject({
      amountCents: 6000n,
      days: 60,
      periodDays: 366,
    });
  });

  it("refuses a termination outside the period or before the start", () => {
    expect(() => terminationProration(arrears(10000n), "2026-02-01")).toThrow(RangeError);
    expect(() => terminationProration(arrears(10000n, january, { startDate: "2026-01-25" }), "2026-01-20")).toThrow(RangeError);
  });
});
