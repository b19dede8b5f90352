import { describe, expect, it } from "vitest";
import type { BillingSchedule } from "@/lib/billing/billing-periods";
import { billingStep, firstBillingBoundary, type BillableSubscription } from "@/lib/invoicing/billing-step";

// Toronto: local midnight is 04:00Z in October (EDT), 05:00Z in winter (EST).
const tz = "America/Toronto";
const monthly: BillingSchedule = { interval: "monthly", billingTime: "calendar", anchorDate: "2026-10-01", timezone: tz };
const sub = (over: Partial<BillableSubscription>): BillableSubscription => ({
  payInAdvance: false, amountCents: 3100n, schedule: monthly, startedAt: new Date("2026-10-01T04:00:00Z"),
  terminatedAt: null, upgraded: false, endingAt: null, ...over,
});
const trialEnd = new Date("2026-10-15T04:00:00Z");

describe("billing step: trials", () => {
  it("in arrears: the fee runs from the trial's end day to the period end", () => {
    const step = billingStep(sub({ trialEndsAt: trialEnd }), new Date("2026-11-01T04:00:00Z"));
    expect([step.arrearsFee?.proration.fromDate, step.arrearsFee?.proration.amountCents]).toEqual(["2026-10-15", 1700n]);
    expect(step.usageWindow?.start).toEqual(new Date("2026-10-01T04:00:00Z"));
  });

  it("in arrears: terminated during the trial owes no fee; a trial beyond the period makes it free", () => {
    const ended = billingStep(sub({ trialEndsAt: trialEnd, terminatedAt: new Date("2026-10-10T15:00:00Z") }), new Date("2026-10-10T15:00:00Z"));
    expect(ended.arrearsFee).toBeNull();
    expect(ended.usageWindow).not.toBeNull();
    const long = billingStep(sub({ trialEndsAt: new Date("2026-11-20T05:00:00Z") }), new Date("2026-11-01T04:00:00Z"));
    expect(long.arrearsFee).toBeNull();
  });

  it("in advance: nothing at the start, the rest of the period at trial end, then whole periods", () => {
    const s = sub({ payInAdvance: true, trialEndsAt: trialEnd });
    expect(firstBillingBoundary(s)).toEqual(s.startedAt);
    const start = billingStep(s, s.startedAt);
    expect([start.advanceFee, start.next]).toEqual([null, trialEnd]);
    const atTrialEnd = billingStep(s, trialEnd);
    expect([atTrialEnd.usageWindow, atTrialEnd.advanceFee?.proration.amountCents, atTrialEnd.next]).toEqual([null, 1700n, new Date("2026-11-01T04:00:00Z")]);
    const nov = billingStep(s, new Date("2026-11-01T04:00:00Z"));
    expect([nov.advanceFee?.proration.amountCents, nov.usageWindow?.start]).toEqual([3100n, s.startedAt]);
  });
});

describe("billing step: bill_charges_monthly", () => {
  const yearly: BillingSchedule = { interval: "yearly", billingTime: "calendar", anchorDate: "2026-01-01", timezone: tz };
  const months: BillingSchedule = { ...yearly, interval: "monthly" };
  const s = sub({ amountCents: 120000n, schedule: yearly, chargeSchedule: months, startedAt: new Date("2026-01-01T05:00:00Z") });

  it("bills usage of each month at its end and the fee only at the year end", () => {
    expect(firstBillingBoundary(s)).toEqual(new Date("2026-02-01T05:00:00Z"));
    const feb = billingStep(s, new Date("2026-02-01T05:00:00Z"));
    expect([feb.arrearsFee, feb.usageWindow?.start, feb.usageWindow?.end, feb.next]).toEqual([
      null, new Date("2026-01-01T05:00:00Z"), new Date("2026-02-01T05:00:00Z"), new Date("2026-03-01T05:00:00Z"),
    ]);
    const jan = billingStep(s, new Date("2027-01-01T05:00:00Z"));
    expect([jan.arrearsFee?.proration.amountCents, jan.usageWindow?.start, jan.next]).toEqual([120000n, new Date("2026-12-01T05:00:00Z"), new Date("2027-02-01T05:00:00Z")]);
  });

  it("in advance: the yearly fee once at the year's start, usage monthly", () => {
    const adv = { ...s, payInAdvance: true };
    const start = billingStep(adv, adv.startedAt);
    expect([start.advanceFee?.proration.amountCents, start.next]).toEqual([120000n, new Date("2026-02-01T05:00:00Z")]);
    const mar = billingStep(adv, new Date("2026-03-01T05:00:00Z"));
    expect([mar.advanceFee, mar.usageWindow?.start]).toEqual([null, new Date("2026-02-01T05:00:00Z")]);
  });
});
