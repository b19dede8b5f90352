import { describe, expect, it } from "vitest";
import { consumeCoupons, couponDiscounts, releaseCoupons, type CouponState } from "@/lib/coupons/coupon-discounts";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";

const noTax = () => ({ lines: [], totalCents: 0n, note: null });
const coupon = (over: Partial<CouponState>): CouponState => ({
  appliedCouponId: "c", code: "C", name: "C", kind: "percentage", amountCents: null, amountCentsRemaining: null, percentageRate: "10",
  frequency: "forever", frequencyDurationRemaining: null, planIds: [], status: "active", createdAt: new Date("2026-01-01"), ...over,
});
const compose = (lines: { amountCents: bigint; planId: string | null }[], coupons: CouponState[]) =>
  composeInvoice({ lines, discounts: couponDiscounts(lines, coupons), taxes: noTax });

describe("coupon discounts", () => {
  it("applies plan-limited coupons first, on their plans' lines only, then the others on what is left", () => {
    const coupons = [
      coupon({ appliedCouponId: "all", percentageRate: "10", createdAt: new Date("2026-01-01") }),
      coupon({ appliedCouponId: "pro", kind: "fixed_amount", amountCents: 5000n, frequency: "forever", planIds: ["pro"], createdAt: new Date("2026-02-01") }),
    ];
    const composition = compose([{ amountCents: 3000n, planId: "pro" }, { amountCents: 7000n, planId: "lite" }], coupons);
    // Pro's coupon takes its plan's $30.00 (not $50.00); 10 % of the $70.00 left is $7.00.
    expect(composition.discounts.map((d) => [d.code, d.amountCents])).toEqual([["pro", 3000n], ["all", 700n]]);
    expect(composition.taxableCents).toBe(6300n);
  });

  it("a limited percentage is of its plans' lines, rounded half up", () => {
    const composition = compose([{ amountCents: 1005n, planId: "pro" }, { amountCents: 5000n, planId: "lite" }], [coupon({ appliedCouponId: "pro", percentageRate: "50", planIds: ["pro"] })]);
    expect(composition.discountsCents).toBe(503n);
  });

  it("carries a fixed once remainder, counts recurring periods, and gives them back on release", () => {
    const coupons = [
      coupon({ appliedCouponId: "fifty", kind: "fixed_amount", amountCents: 5000n, amountCentsRemaining: 5000n, frequency: "once" }),
      coupon({ appliedCouponId: "two", percentageRate: "10", frequency: "recurring", frequencyDurationRemaining: 1, createdAt: new Date("2026-03-01") }),
    ];
    const first = compose([{ amountCents: 3000n, planId: "p" }], coupons);
    const used = consumeCoupons(coupons, first.discounts);
    // The $50 takes all $30; nothing is left for the 10 %, which is not consumed.
    expect(used).toEqual([{ appliedCouponId: "fifty", amountCents: 3000n, periodsConsumed: 0, exhausted: false }]);
    expect(coupons[0].amountCentsRemaining).toBe(2000n);
    expect(coupons[1].frequencyDurationRemaining).toBe(1);

    const second = compose([{ amountCents: 3000n, planId: "p" }], coupons);
    const usedAgain = consumeCoupons(coupons, second.discounts);
    expect(usedAgain.map((u) => [u.appliedCouponId, u.amountCents, u.exhausted])).toEqual([["fifty", 2000n, true], ["two", 100n, true]]);
    expect(coupons.map((c) => c.status)).toEqual(["terminated", "terminated"]);

    releaseCoupons(coupons, usedAgain);
    expect(coupons.map((c) => [c.status, c.amountCentsRemaining, c.frequencyDurationRemaining])).toEqual([["active", 2000n, null], ["active", null, 1]]);
  });

  it("takes nothing from an invoice with nothing to discount, and skips terminated coupons", () => {
    expect(couponDiscounts([{ amountCents: 0n, planId: "p" }], [coupon({})])).toEqual([]);
    expect(couponDiscounts([{ amountCents: 100n, planId: "p" }], [coupon({ status: "terminated" })])).toEqual([]);
    expect(couponDiscounts([{ amountCents: 100n, planId: null }], [coupon({ planIds: ["p"] })])).toEqual([]);
  });
});
