import type { AppliedCouponWithDetails } from "@/lib/coupons/applied-coupons";
import type { CouponWithPlans } from "@/lib/coupons/coupons";
import type { AddOn } from "@/lib/generated/prisma/client";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const cents = (v: bigint | null) => (v === null ? null : Number(v));

/** Lago's coupon object. */
export function serializeCoupon(coupon: CouponWithPlans) {
  const planCodes = coupon.plans.map((p) => p.plan.code).sort();
  return {
    lago_id: coupon.id,
    name: coupon.name,
    code: coupon.code,
    description: coupon.description,
    coupon_type: coupon.couponType,
    amount_cents: cents(coupon.amountCents),
    amount_currency: coupon.currency,
    percentage_rate: coupon.percentageRate?.toString() ?? null,
    frequency: coupon.frequency,
    frequency_duration: coupon.frequencyDuration,
    reusable: coupon.reusable,
    limited_plans: planCodes.length > 0,
    plan_codes: planCodes,
    limited_billable_metrics: false,
    billable_metric_codes: [] as string[],
    expiration: coupon.expirationAt ? "time_limit" : "no_expiration",
    expiration_at: iso(coupon.expirationAt),
    status: coupon.status,
    created_at: coupon.createdAt.toISOString(),
    terminated_at: iso(coupon.terminatedAt),
  };
}

/** Lago's applied coupon object, with the credits (what each invoice took from it). */
export function serializeAppliedCoupon(applied: AppliedCouponWithDetails, externalCustomerId: string) {
  return {
    lago_id: applied.id,
    lago_coupon_id: applied.couponId,
    coupon_code: applied.coupon.code,
    coupon_name: applied.coupon.name,
    coupon_status: applied.coupon.status,
    coupon_deleted_at: iso(applied.coupon.deletedAt),
    lago_customer_id: applied.customerId,
    external_customer_id: externalCustomerId,
    status: applied.status,
    amount_cents: cents(applied.amountCents),
    amount_cents_remaining: cents(applied.amountCentsRemaining),
    amount_currency: applied.currency,
    percentage_rate: applied.percentageRate?.toString() ?? null,
    frequency: applied.frequency,
    frequency_duration: applied.frequencyDuration,
    frequency_duration_remaining: applied.frequencyDurationRemaining,
    expiration_at: null,
    created_at: applied.createdAt.toISOString(),
    terminated_at: iso(applied.terminatedAt),
    credits: applied.invoices.map((c) => ({
      lago_id: c.id,
      amount_cents: Number(c.amountCents),
      amount_currency: c.invoice.currency,
      before_taxes: true,
      item: { lago_item_id: applied.id, type: "coupon" as const, code: applied.coupon.code, name: applied.coupon.name },
      invoice: { lago_id: c.invoice.id, payment_status: c.invoice.status === "paid" ? "succeeded" : c.invoice.paymentStatus },
    })),
  };
}

/** Lago's add-on object. */
export function serializeAddOn(addOn: AddOn) {
  return {
    lago_id: addOn.id,
    name: addOn.name,
    code: addOn.code,
    invoice_display_name: addOn.invoiceDisplayName,
    amount_cents: Number(addOn.amountCents),
    amount_currency: addOn.currency,
    description: addOn.description,
    created_at: addOn.createdAt.toISOString(),
    taxes: [] as unknown[],
  };
}
