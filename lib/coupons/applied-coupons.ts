import type { Db } from "@/lib/db/prisma";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { DomainError, entityNotFound, invalidField } from "@/lib/errors";
import { isUuid } from "@/lib/invoicing/service-invoices";
import { Prisma, type CouponFrequency, type CouponStatus } from "@/lib/generated/prisma/client";
import { checkCouponTerms, getCoupon, isCouponExpired } from "./coupons";

/**
 * Applied coupons (Lago's `applied_coupons`): a service gives one of its coupons to one of its customers, with the
 * coupon's terms or overrides of them. The service's invoices of that customer then consume it (coupon-discounts.ts).
 */
export interface ApplyCouponInput {
  externalCustomerId: string;
  couponCode: string;
  amountCents?: bigint | null;
  currency?: string | null;
  percentageRate?: string | null;
  frequency?: CouponFrequency | null;
  frequencyDuration?: number | null;
}

export const appliedCouponInclude = {
  coupon: { select: { id: true, code: true, name: true, couponType: true, status: true, deletedAt: true } },
  invoices: { orderBy: { createdAt: "asc" }, include: { invoice: { select: { id: true, paymentStatus: true, status: true, currency: true } } } },
} satisfies Prisma.AppliedCouponInclude;
export type AppliedCouponWithDetails = Prisma.AppliedCouponGetPayload<{ include: typeof appliedCouponInclude }>;

/** Who gives or removes a coupon, for the audit log: the service through the API, a staff member from the console. */
export type CouponActor = { type: "service" | "staff"; id: string };

export async function applyCoupon(client: Db, serviceId: string, input: ApplyCouponInput, now = new Date(), actor: CouponActor = { type: "service", id: serviceId }): Promise<AppliedCouponWithDetails> {
  return client.$transaction(async (tx) => {
    const { customer } = await getServiceCustomer(tx, serviceId, input.externalCustomerId);
    const coupon = await getCoupon(tx, serviceId, input.couponCode);
    // The coupon row serialises applications of it (the reusable rule reads earlier ones).
    await tx.$queryRaw`SELECT id FROM "Coupon" WHERE id = ${coupon.id}::uuid FOR UPDATE`;
    if (coupon.status === "terminated") throw invalidField("coupon_code", "coupon_is_terminated", "The coupon is terminated: it can no longer be applied");
    if (isCouponExpired(coupon, now)) throw invalidField("coupon_code", "coupon_is_expired", "The coupon has expired: it can no longer be applied");
    if (!coupon.reusable && (await tx.appliedCoupon.count({ where: { couponId: coupon.id, customerId: customer.id } })) > 0) {
      throw invalidField("coupon_code", "coupon_is_not_reusable", "The coupon is not reusable and this customer already had it");
    }
    const fixed = coupon.couponType === "fixed_amount";
    if (!fixed && (input.amountCents != null || input.currency != null)) throw invalidField("amount_cents", "not_compatible_with_coupon_type");
    if (fixed && input.percentageRate != null) throw invalidField("percentage_rate", "not_compatible_with_coupon_type");
    const currency = fixed ? (input.currency ?? coupon.currency) : null;
    if (fixed && currency !== customer.currency) {
      throw invalidField("amount_currency", "currencies_does_not_match", `The coupon is in ${currency}, the customer is billed in ${customer.currency}`);
    }
    const frequency = input.frequency ?? coupon.frequency;
    const terms = {
      couponType: coupon.couponType,
      amountCents: fixed ? (input.amountCents ?? coupon.amountCents) : null,
      currency,
      percentageRate: fixed ? null : (input.percentageRate ?? coupon.percentageRate?.toString() ?? null),
      frequency,
      frequencyDuration: frequency === "recurring" ? (input.frequencyDuration ?? coupon.frequencyDuration) : null,
    };
    checkCouponTerms(terms);
    const applied = await tx.appliedCoupon.create({
      data: {
        couponId: coupon.id,
        customerId: customer.id,
        serviceId,
        amountCents: terms.amountCents,
        currency: terms.currency,
        percentageRate: terms.percentageRate === null ? null : new Prisma.Decimal(terms.percentageRate),
        frequency,
        frequencyDuration: terms.frequencyDuration,
        amountCentsRemaining: fixed && frequency === "once" ? terms.amountCents : null,
        frequencyDurationRemaining: terms.frequencyDuration,
        createdAt: now,
      },
      include: appliedCouponInclude,
    });
    await tx.auditLog.create({ data: { actorType: actor.type, actorId: actor.id, action: "coupon.applied", entityType: "AppliedCoupon", entityId: applied.id, data: { couponCode: coupon.code, customerId: customer.id } } });
    return applied;
  });
}

/** Removes a coupon from a customer (Lago's DELETE …/applied_coupons/:id): it stops applying; what invoices took stays. */
export async function terminateAppliedCoupon(client: Db, serviceId: string, externalCustomerId: string, appliedCouponId: string, now = new Date(), actor: CouponActor = { type: "service", id: serviceId }): Promise<AppliedCouponWithDetails> {
  return client.$transaction(async (tx) => {
    const { customer } = await getServiceCustomer(tx, serviceId, externalCustomerId);
    const applied = isUuid(appliedCouponId) ? await tx.appliedCoupon.findFirst({ where: { id: appliedCouponId, serviceId, customerId: customer.id } }) : null;
    if (!applied) throw entityNotFound("applied_coupon");
    // Locked: a period close composing with it finishes first, and its consumption stays.
    await tx.$queryRaw`SELECT id FROM "AppliedCoupon" WHERE id = ${applied.id}::uuid FOR UPDATE`;
    const current = await tx.appliedCoupon.findUniqueOrThrow({ where: { id: applied.id } });
    if (current.status === "terminated") throw new DomainError("not_allowed", "applied_coupon_already_terminated", undefined, "The coupon is no longer applied to this customer");
    const updated = await tx.appliedCoupon.update({ where: { id: applied.id }, data: { status: "terminated", terminatedAt: now }, include: appliedCouponInclude });
    await tx.auditLog.create({ data: { actorType: actor.type, actorId: actor.id, action: "coupon.removed", entityType: "AppliedCoupon", entityId: applied.id } });
    return updated;
  });
}

export interface AppliedCouponQuery {
  skip: number;
  take: number;
  /** A customer's (resolved from the service's external id); null when the id names none of the service's customers. */
  customerId?: string | null;
  status?: CouponStatus;
  couponCodes?: string[];
}

export async function listAppliedCoupons(client: Db, serviceId: string, query: AppliedCouponQuery) {
  const where: Prisma.AppliedCouponWhereInput = {
    serviceId,
    ...(query.customerId !== undefined ? { customerId: query.customerId ?? "00000000-0000-0000-0000-000000000000" } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.couponCodes?.length ? { coupon: { code: { in: query.couponCodes } } } : {}),
  };
  const [total, items] = await Promise.all([
    client.appliedCoupon.count({ where }),
    client.appliedCoupon.findMany({ where, include: appliedCouponInclude, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: query.skip, take: query.take }),
  ]);
  return { total, items };
}
