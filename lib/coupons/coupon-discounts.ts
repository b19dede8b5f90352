import { decimal } from "@/lib/billing/decimal";
import { scaleCents } from "@/lib/billing/money";
import type { AppliedAmount, Discount } from "@/lib/invoicing/compose-invoice";

/**
 * Which of a customer's applied coupons an invoice takes, and what is left of them after (pure: the period close and a
 * draft's refresh load the state, call these, and write the result).
 *
 * Rules (Lago's):
 * - Coupons come off the subtotal before tax, through composeInvoice's `discounts`: plan-limited coupons first (each
 *   on the lines of its plans), then the others, each group oldest application first.
 * - A fixed amount `once` coupon gives what is left of it; a remainder carries to the next invoice. A fixed amount
 *   `recurring` or `forever` coupon gives its amount on each invoice, with no carry-over.
 * - A percentage is of what is left of the subtotal (for a limited coupon, of what is left of its plans' lines),
 *   rounded half up to the cent.
 * - Only an invoice with something left to discount uses a coupon: a recurring coupon counts down one period per
 *   invoice it took something off; a `once` coupon (percentage, or fixed used up) is then terminated.
 */
export interface CouponState {
  appliedCouponId: string;
  code: string;
  name: string;
  kind: "fixed_amount" | "percentage";
  /** fixed_amount: the amount per invoice (recurring/forever) or the whole amount (once). */
  amountCents: bigint | null;
  /** fixed_amount once: what is left of it. */
  amountCentsRemaining: bigint | null;
  percentageRate: string | null;
  frequency: "once" | "recurring" | "forever";
  frequencyDurationRemaining: number | null;
  /** Plans it is limited to; empty for every plan. */
  planIds: string[];
  status: "active" | "terminated";
  /** Application order (oldest first). */
  createdAt: Date;
  /** The coupon itself was deleted: its applications are over for good, whatever is given back to them. */
  couponDeleted?: boolean;
}

export interface CouponLine {
  amountCents: bigint;
  /** The plan of the line's subscription; null for lines of no plan (they take only unlimited coupons). */
  planId: string | null;
}

export interface CouponConsumption {
  appliedCouponId: string;
  amountCents: bigint;
  periodsConsumed: number;
  /** It used the coupon up: the applied coupon is terminated. */
  exhausted: boolean;
}

const ZERO = BigInt(0);

/** Coupons that may apply, in the order they apply. */
export function applicableCoupons(coupons: readonly CouponState[]): CouponState[] {
  return coupons
    .filter((c) => c.status === "active")
    .filter((c) => c.kind === "percentage" || (c.frequency === "once" ? (c.amountCentsRemaining ?? ZERO) > ZERO : (c.amountCents ?? ZERO) > ZERO))
    .filter((c) => c.frequency !== "recurring" || (c.frequencyDurationRemaining ?? 0) > 0)
    .sort((a, b) => Number(b.planIds.length > 0) - Number(a.planIds.length > 0) || a.createdAt.getTime() - b.createdAt.getTime() || a.appliedCouponId.localeCompare(b.appliedCouponId));
}

/** The discounts (composeInvoice's input) an invoice with these lines takes from these coupons; `code` is the applied coupon's id. */
export function couponDiscounts(lines: readonly CouponLine[], coupons: readonly CouponState[]): Discount[] {
  const subtotal = lines.reduce((sum, l) => sum + l.amountCents, ZERO);
  if (subtotal <= ZERO) return [];
  // What is left per plan, for plan-limited coupons (limited ones come first, so nothing else has taken from it yet).
  const leftByPlan = new Map<string, bigint>();
  for (const line of lines) if (line.planId) leftByPlan.set(line.planId, (leftByPlan.get(line.planId) ?? ZERO) + line.amountCents);
  const discounts: Discount[] = [];
  for (const coupon of applicableCoupons(coupons)) {
    const description = coupon.name;
    const fixed = coupon.frequency === "once" ? (coupon.amountCentsRemaining ?? ZERO) : (coupon.amountCents ?? ZERO);
    if (coupon.planIds.length === 0) {
      discounts.push(coupon.kind === "fixed_amount"
        ? { code: coupon.appliedCouponId, description, kind: "fixed_amount", amountCents: fixed }
        : { code: coupon.appliedCouponId, description, kind: "percentage", percent: coupon.percentageRate ?? "0" });
      continue;
    }
    const plans = coupon.planIds.filter((id) => (leftByPlan.get(id) ?? ZERO) > ZERO);
    const base = plans.reduce((sum, id) => sum + leftByPlan.get(id)!, ZERO);
    if (base <= ZERO) continue;
    const wanted = coupon.kind === "fixed_amount" ? fixed : scaleCents(base, decimal(coupon.percentageRate ?? "0").div(100));
    let amount = wanted < base ? wanted : base;
    discounts.push({ code: coupon.appliedCouponId, description, kind: "fixed_amount", amountCents: amount });
    for (const id of plans) {
      const left = leftByPlan.get(id)!;
      const taken = amount < left ? amount : left;
      leftByPlan.set(id, left - taken);
      amount -= taken;
    }
  }
  return discounts;
}

/**
 * Applies what the composition took (its `discounts`, by applied coupon id) to the coupons' state, in place, and
 * returns the consumption rows to record. Coupons that took nothing are untouched.
 */
export function consumeCoupons(coupons: CouponState[], applied: readonly AppliedAmount[]): CouponConsumption[] {
  const consumptions: CouponConsumption[] = [];
  for (const { code, amountCents } of applied) {
    if (amountCents <= ZERO) continue;
    const coupon = coupons.find((c) => c.appliedCouponId === code);
    if (!coupon) continue;
    let exhausted = false;
    let periods = 0;
    if (coupon.frequency === "once") {
      if (coupon.kind === "fixed_amount") {
        coupon.amountCentsRemaining = (coupon.amountCentsRemaining ?? ZERO) - amountCents;
        exhausted = coupon.amountCentsRemaining <= ZERO;
      } else {
        exhausted = true;
      }
    } else if (coupon.frequency === "recurring") {
      periods = 1;
      coupon.frequencyDurationRemaining = (coupon.frequencyDurationRemaining ?? 0) - 1;
      exhausted = coupon.frequencyDurationRemaining <= 0;
    }
    if (exhausted) coupon.status = "terminated";
    consumptions.push({ appliedCouponId: code, amountCents, periodsConsumed: periods, exhausted });
  }
  return consumptions;
}

/** Gives an invoice's consumption back to the coupons' state, in place (a draft's refresh, a void). */
export function releaseCoupons(coupons: CouponState[], consumptions: readonly CouponConsumption[]): void {
  for (const consumption of consumptions) {
    const coupon = coupons.find((c) => c.appliedCouponId === consumption.appliedCouponId);
    if (!coupon) continue;
    if (coupon.frequency === "once" && coupon.kind === "fixed_amount") coupon.amountCentsRemaining = (coupon.amountCentsRemaining ?? ZERO) + consumption.amountCents;
    if (coupon.frequency === "recurring") coupon.frequencyDurationRemaining = (coupon.frequencyDurationRemaining ?? 0) + consumption.periodsConsumed;
    if (consumption.exhausted && !coupon.couponDeleted) coupon.status = "active";
  }
}
