import { describe, expect, it } from "vitest";
import { terminationCreditParts } from "@/lib/invoicing/billing-run";
import { billingStep, usageStartOf, type BillableSubscription } from "@/lib/invoicing/billing-step";

// January 2027 in Toronto (EST, UTC−5): local midnight is 05:00Z.
const schedule = { interval: "monthly", billingTime: "calendar", anchorDate: "2027-01-10", timezone: "America/Toronto" } as const;
const STARTED = new Date("2027-01-10T17:30:00.250Z");
const sub = (over: Partial<BillableSubscription> = {}): BillableSubscription => ({
  payInAdvance: false, amountCents: BigInt(3100), schedule, startedAt: STARTED, subscriptionAt: STARTED, terminatedAt: null, upgraded: false, endingAt: null, ...over,
});

describe("start-day usage (Lago's first period starts at the start date)", () => {
  it("counts usage from the beginning of the start day in the customer's timezone", () => {
    expect(usageStartOf(sub())).toEqual(new Date("2027-01-10T05:00:00Z"));
    const step = billingStep(sub(), new Date("2027-02-01T05:00:00Z"));
    expect(step.usageWindow).toMatchObject({ start: new Date("2027-01-10T05:00:00Z"), end: new Date("2027-02-01T05:00:00Z") });
    // The fee is still the days from the start day: 22 of 31.
    expect(step.arrearsFee?.proration.days).toBe(22);
  });

  it("an upgraded subscription (started after it was taken out) counts from the change", () => {
    const upgraded = sub({ subscriptionAt: new Date("2027-01-01T05:00:00Z") });
    expect(usageStartOf(upgraded)).toEqual(STARTED);
  });

  it("an in-advance plan bills no usage at its start boundary, and the start day's usage at the period end, once", () => {
    const advance = sub({ payInAdvance: true });
    expect(billingStep(advance, STARTED).usageWindow).toBeNull();
    expect(billingStep(advance, new Date("2027-02-01T05:00:00Z")).usageWindow?.start).toEqual(new Date("2027-01-10T05:00:00Z"));
  });
});

describe("termination credit: refund the paid share, credit the rest", () => {
  const paid = { totalCents: BigInt(11300), amountPaidCents: BigInt(11300) };
  it("credits everything with credit, refunds a paid invoice in full with refund or offset", () => {
    expect(terminationCreditParts("credit", BigInt(2000), paid)).toEqual([{ kind: "credit", amountCents: BigInt(2000) }]);
    expect(terminationCreditParts("refund", BigInt(2000), paid)).toEqual([{ kind: "refund", amountCents: BigInt(2000) }]);
    expect(terminationCreditParts("offset", BigInt(2000), paid)).toEqual([{ kind: "refund", amountCents: BigInt(2000) }]);
  });
  it("credits an unpaid invoice and splits a partly paid one pro rata", () => {
    expect(terminationCreditParts("refund", BigInt(2000), { totalCents: BigInt(11300), amountPaidCents: BigInt(0) })).toEqual([{ kind: "credit", amountCents: BigInt(2000) }]);
    expect(terminationCreditParts("refund", BigInt(2000), { totalCents: BigInt(11300), amountPaidCents: BigInt(5650) })).toEqual([
      { kind: "refund", amountCents: BigInt(1000) },
      { kind: "credit", amountCents: BigInt(1000) },
    ]);
  });
});
