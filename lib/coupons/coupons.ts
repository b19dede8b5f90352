import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import { Prisma, type CouponFrequency, type CouponType } from "@/lib/generated/prisma/client";

/**
 * Coupons (Lago's `coupons`): discounts a service offers its customers. Each belongs to one service: another service
 * never sees, changes or applies it (codes are unique per service). Deleting a coupon terminates its applications;
 * terminating it only stops new ones (existing applications keep applying), as in Lago.
 */
export interface CouponInput {
  code: string;
  name: string;
  description?: string | null;
  couponType: CouponType;
  amountCents?: bigint | null;
  currency?: string | null;
  percentageRate?: string | null;
  frequency: CouponFrequency;
  frequencyDuration?: number | null;
  reusable?: boolean;
  /** null: no expiration. */
  expirationAt?: Date | null;
  /** Plan codes it is limited to; empty or absent: every plan. */
  planCodes?: string[] | null;
}

export const couponInclude = { plans: { include: { plan: { select: { id: true, code: true } } } } } satisfies Prisma.CouponInclude;
export type CouponWithPlans = Prisma.CouponGetPayload<{ include: typeof couponInclude }>;

type Client = Db | Prisma.TransactionClient;

export async function findCoupon(client: Client, serviceId: string, code: string): Promise<CouponWithPlans | null> {
  return client.coupon.findFirst({ where: { serviceId, code, deletedAt: null }, include: couponInclude });
}

export async function getCoupon(client: Client, serviceId: string, code: string): Promise<CouponWithPlans> {
  const coupon = await findCoupon(client, serviceId, code);
  if (!coupon) throw entityNotFound("coupon");
  return coupon;
}

/** The terms a coupon of this type and frequency needs, each refused with Lago's field code when missing or wrong. */
export function checkCouponTerms(terms: Pick<CouponInput, "couponType" | "amountCents" | "currency" | "percentageRate" | "frequency" | "frequencyDuration">) {
  const errors: Record<string, string[]> = {};
  if (terms.couponType === "fixed_amount") {
    if (terms.amountCents === null || terms.amountCents === undefined) errors.amount_cents = ["value_is_mandatory"];
    else if (terms.amountCents <= BigInt(0)) errors.amount_cents = ["value_is_out_of_range"];
    if (!terms.currency) errors.amount_currency = ["value_is_mandatory"];
  } else {
    if (terms.percentageRate === null || terms.percentageRate === undefined) errors.percentage_rate = ["value_is_mandatory"];
    else if (!(Number(terms.percentageRate) > 0 && Number(terms.percentageRate) <= 100)) errors.percentage_rate = ["value_is_out_of_range"];
  }
  if (terms.frequency === "recurring") {
    if (terms.frequencyDuration === null || terms.frequencyDuration === undefined) errors.frequency_duration = ["value_is_mandatory"];
    else if (terms.frequencyDuration < 1) errors.frequency_duration = ["value_is_out_of_range"];
  }
  if (Object.keys(errors).length) throw new DomainError("invalid", "validation_errors", errors);
}

async function planIdsOf(tx: Prisma.TransactionClient, codes: string[]): Promise<string[]> {
  const unique = [...new Set(codes)];
  const plans = await tx.plan.findMany({ where: { code: { in: unique }, deletedAt: null }, select: { id: true, code: true } });
  const missing = unique.filter((code) => !plans.some((p) => p.code === code));
  if (missing.length) throw new DomainError("not_found", "plan_not_found", { plan_codes: missing }, `Unknown plan code(s): ${missing.join(", ")}`);
  return plans.map((p) => p.id);
}

function termsData(input: Partial<CouponInput>) {
  return {
    ...(input.couponType !== undefined ? { couponType: input.couponType } : {}),
    ...(input.amountCents !== undefined ? { amountCents: input.amountCents } : {}),
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
    ...(input.percentageRate !== undefined ? { percentageRate: input.percentageRate === null ? null : new Prisma.Decimal(input.percentageRate) } : {}),
    ...(input.frequency !== undefined ? { frequency: input.frequency } : {}),
    ...(input.frequencyDuration !== undefined ? { frequencyDuration: input.frequencyDuration } : {}),
  };
}

export async function createCoupon(client: Db, serviceId: string, input: CouponInput, now = new Date()): Promise<CouponWithPlans> {
  checkCouponTerms(input);
  if (input.expirationAt && input.expirationAt <= now) throw invalidField("expiration_at", "invalid_date", "The expiration date is in the past");
  try {
    return await client.$transaction(async (tx) => {
      const planIds = input.planCodes?.length ? await planIdsOf(tx, input.planCodes) : [];
      return tx.coupon.create({
        data: {
          serviceId,
          code: input.code,
          name: input.name,
          description: input.description ?? null,
          ...termsData(input),
          couponType: input.couponType,
          frequency: input.frequency,
          // Only the terms of the coupon's type are kept: a percentage coupon has no amount, and the reverse.
          ...(input.couponType === "percentage" ? { amountCents: null, currency: null } : { percentageRate: null }),
          ...(input.frequency !== "recurring" ? { frequencyDuration: null } : {}),
          reusable: input.reusable ?? true,
          expirationAt: input.expirationAt ?? null,
          plans: { create: planIds.map((planId) => ({ planId })) },
        },
        include: couponInclude,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

/**
 * Updates a coupon. Name, description and expiration can always change; its terms (type, amounts, frequency,
 * plans) only while no customer has it, since applications carry the terms they were given.
 */
export async function updateCoupon(client: Db, serviceId: string, code: string, input: Partial<CouponInput>, now = new Date()): Promise<CouponWithPlans> {
  try {
    return await client.$transaction(async (tx) => {
      const coupon = await getCoupon(tx, serviceId, code);
      const termsChange = Object.keys(termsData(input)).length > 0 || input.planCodes !== undefined || input.reusable !== undefined;
      if (termsChange && (await tx.appliedCoupon.count({ where: { couponId: coupon.id } })) > 0) {
        throw new DomainError("invalid", "validation_errors", { base: ["coupon_already_applied"] }, "The coupon is applied to customers: only its name, description and expiration can change");
      }
      const merged = {
        couponType: input.couponType ?? coupon.couponType,
        amountCents: input.amountCents !== undefined ? input.amountCents : coupon.amountCents,
        currency: input.currency !== undefined ? input.currency : coupon.currency,
        percentageRate: input.percentageRate !== undefined ? input.percentageRate : (coupon.percentageRate?.toString() ?? null),
        frequency: input.frequency ?? coupon.frequency,
        frequencyDuration: input.frequencyDuration !== undefined ? input.frequencyDuration : coupon.frequencyDuration,
      };
      checkCouponTerms(merged);
      if (input.expirationAt && input.expirationAt <= now) throw invalidField("expiration_at", "invalid_date", "The expiration date is in the past");
      if (input.planCodes !== undefined) {
        const planIds = input.planCodes?.length ? await planIdsOf(tx, input.planCodes) : [];
        await tx.couponPlan.deleteMany({ where: { couponId: coupon.id } });
        if (planIds.length) await tx.couponPlan.createMany({ data: planIds.map((planId) => ({ couponId: coupon.id, planId })) });
      }
      return tx.coupon.update({
        where: { id: coupon.id },
        data: {
          ...(input.code !== undefined ? { code: input.code } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.reusable !== undefined ? { reusable: input.reusable } : {}),
          ...(input.expirationAt !== undefined ? { expirationAt: input.expirationAt } : {}),
          ...termsData(input),
          ...(merged.couponType === "percentage" ? { amountCents: null, currency: null } : { percentageRate: null }),
          ...(merged.frequency !== "recurring" ? { frequencyDuration: null } : {}),
        },
        include: couponInclude,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

/** Stops new applications of the coupon; customers who have it keep it. */
export async function terminateCoupon(client: Db, serviceId: string, code: string, now = new Date()): Promise<CouponWithPlans> {
  const coupon = await getCoupon(client, serviceId, code);
  if (coupon.status === "terminated") return coupon;
  return client.coupon.update({ where: { id: coupon.id }, data: { status: "terminated", terminatedAt: now }, include: couponInclude });
}

/** Deletes the coupon (Lago's DELETE): it is terminated, and so are its applications still active. */
export async function deleteCoupon(client: Db, serviceId: string, code: string, now = new Date()): Promise<CouponWithPlans> {
  return client.$transaction(async (tx) => {
    const coupon = await getCoupon(tx, serviceId, code);
    await tx.appliedCoupon.updateMany({ where: { couponId: coupon.id, status: "active" }, data: { status: "terminated", terminatedAt: now } });
    return tx.coupon.update({
      where: { id: coupon.id },
      data: { deletedAt: now, status: "terminated", terminatedAt: coupon.terminatedAt ?? now },
      include: couponInclude,
    });
  });
}

export async function listCoupons(client: Db, serviceId: string, page: { skip: number; take: number }) {
  const where = { serviceId, deletedAt: null };
  const [total, items] = await Promise.all([
    client.coupon.count({ where }),
    client.coupon.findMany({ where, include: couponInclude, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return { total, items };
}

/** A coupon is past its expiration once the instant has come (Lago: it can no longer be applied). */
export const isCouponExpired = (coupon: { expirationAt: Date | null }, now: Date) => coupon.expirationAt !== null && coupon.expirationAt <= now;
