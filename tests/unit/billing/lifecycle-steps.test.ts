import { describe, expect, it } from "vitest";
import { terminationCreditCents, terminationCreditParts } from "@/lib/invoicing/billing-run";
import { creditableCents, netShareCents } from "@/lib/invoicing/credit-notes";
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

describe("termination credit net of coupons (the credit never exceeds what was charged)", () => {
  const invoice = (over: { subtotalCents: bigint; credited?: bigint; lines?: bigint[] }) => ({
    subtotalCents: over.subtotalCents,
    lines: (over.lines ?? [BigInt(10000)]).map((amountCents, i) => ({
      id: `line-${i}`, amountCents,
      creditNoteLines: i === 0 && over.credited ? [{ amountCents: over.credited, creditNote: { status: "issued" } }] : [],
    })),
    creditNotes: over.credited ? [{ status: "issued", subtotalCents: over.credited }] : [],
  });

  it("scales the prorated gross fee to the net billed amount (a 50 % coupon halves the credit)", () => {
    // $100 fee, 50 % coupon: $50 billed; 26 unused days of 30 → $86.67 gross → $43.33 net.
    expect(terminationCreditCents(BigInt(8667), invoice({ subtotalCents: BigInt(5000) }), "line-0")).toBe(BigInt(4334));
  });

  it("caps at what is still creditable: a $60 once coupon on $100 leaves $40 to credit, not $86.67", () => {
    // Net share 8667 × 4000 / 10000 = 3466.8 → 3467 (half up once), within the $40 left.
    expect(terminationCreditCents(BigInt(8667), invoice({ subtotalCents: BigInt(4000) }), "line-0")).toBe(BigInt(3467));
    // Already credited $30 of the $40: only $10 is left.
    expect(terminationCreditCents(BigInt(8667), invoice({ subtotalCents: BigInt(4000), credited: BigInt(3000) }), "line-0")).toBe(BigInt(1000));
    // Nothing left: no credit (the close skips it rather than throwing).
    expect(terminationCreditCents(BigInt(8667), invoice({ subtotalCents: BigInt(4000), credited: BigInt(4000) }), "line-0")).toBe(BigInt(0));
  });

  it("splits refund and credit rounding half up once", () => {
    // 1001 × 5650 / 11300 = 500.5 → 501 refunded, 500 credited (the floor gave 500 / 501).
    expect(terminationCreditParts("refund", BigInt(1001), { totalCents: BigInt(11300), amountPaidCents: BigInt(5650) })).toEqual([
      { kind: "refund", amountCents: BigInt(501) },
      { kind: "credit", amountCents: BigInt(500) },
    ]);
  });
});

describe("per-line credit-note cap net of coupons", () => {
  it("caps each line at its share of the net subtotal", () => {
    const inv = { subtotalCents: BigInt(10000), creditNotes: [], lines: [BigInt(10000), BigInt(10000)].map((amountCents, i) => ({ id: `l${i}`, amountCents, creditNoteLines: [] })) };
    expect(creditableCents(inv, "l0")).toEqual({ lineCents: BigInt(5000), invoiceCents: BigInt(10000) });
    expect(netShareCents(BigInt(333), BigInt(1000), BigInt(500))).toBe(BigInt(167));
    // No coupon: the line itself.
    expect(netShareCents(BigInt(333), BigInt(1000), BigInt(1000))).toBe(BigInt(333));
  });
});
