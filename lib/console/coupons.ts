import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { z } from "zod";
import { catalogCode, currencyCode } from "@/lib/api/schemas/common";
import type { CouponInput } from "@/lib/coupons/coupons";
import { requiredText, textOrNull, uuid, wholeNumber, dollarsAsCents, decimalText } from "./forms/form-schemas";

/** The console's view of coupons and add-ons (every service's), and the forms that change them. */
export interface CouponRow {
  id: string;
  serviceId: string;
  service: string;
  code: string;
  name: string;
  terms: string;
  plans: string[];
  applications: number;
  status: "active" | "terminated";
  expiresAt: string | null;
}

export interface AddOnRow {
  id: string;
  service: string;
  code: string;
  name: string;
  amountCents: string;
  currency: string;
}

const money = (cents: bigint | null, currency: string | null) => `$${(Number(cents ?? 0) / 100).toFixed(2)} ${currency ?? ""}`.trim();

export function couponTerms(c: { couponType: string; amountCents: bigint | null; currency: string | null; percentageRate: { toString(): string } | null; frequency: string; frequencyDuration: number | null }): string {
  const amount = c.couponType === "percentage" ? `${c.percentageRate?.toString()} %` : money(c.amountCents, c.currency);
  const frequency = c.frequency === "recurring" ? `for ${c.frequencyDuration} invoice(s)` : c.frequency === "once" ? "once" : "forever";
  return `${amount} off, ${frequency}`;
}

export async function listCouponRows(client: Db): Promise<CouponRow[]> {
  const coupons = await client.coupon.findMany({
    where: { deletedAt: null },
    include: { service: { select: { code: true } }, plans: { include: { plan: { select: { code: true } } } }, _count: { select: { appliedCoupons: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 500,
  });
  return coupons.map((c) => ({
    id: c.id, serviceId: c.serviceId, service: c.service.code, code: c.code, name: c.name, terms: couponTerms(c),
    plans: c.plans.map((p) => p.plan.code), applications: c._count.appliedCoupons, status: c.status, expiresAt: c.expirationAt?.toISOString() ?? null,
  }));
}

export async function listAddOnRows(client: Db): Promise<AddOnRow[]> {
  const addOns = await client.addOn.findMany({ where: { deletedAt: null }, include: { service: { select: { code: true } } }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: 500 });
  return addOns.map((a) => ({ id: a.id, service: a.service.code, code: a.code, name: a.name, amountCents: a.amountCents.toString(), currency: a.currency }));
}

/** The customer's external id with the service (their account link): what the API's domain calls are keyed by. */
export async function externalIdOfCustomer(client: Db, serviceId: string, customerId: string): Promise<string> {
  const link = await client.accountLink.findFirst({ where: { serviceId, customerId, deletedAt: null } });
  if (!link) throw new DomainError("not_found", "customer_not_found", undefined, "This customer has no account with that service");
  return link.externalId;
}

/** Coupons and add-ons of the services the customer is linked with (what the customer page offers). */
export async function customerCouponChoices(client: Db, customerId: string) {
  const links = await client.accountLink.findMany({ where: { customerId, deletedAt: null }, select: { serviceId: true } });
  const serviceIds = links.map((l) => l.serviceId);
  const [coupons, addOns, applied] = await Promise.all([
    client.coupon.findMany({ where: { serviceId: { in: serviceIds }, deletedAt: null, status: "active" }, include: { service: { select: { code: true } } }, orderBy: { code: "asc" } }),
    client.addOn.findMany({ where: { serviceId: { in: serviceIds }, deletedAt: null }, include: { service: { select: { code: true } } }, orderBy: { code: "asc" } }),
    client.appliedCoupon.findMany({ where: { customerId }, include: { coupon: { select: { code: true, name: true, couponType: true } }, service: { select: { code: true } } }, orderBy: { createdAt: "desc" } }),
  ]);
  return {
    coupons: coupons.map((c) => ({ value: c.id, label: `${c.service.code} · ${c.code} (${couponTerms(c)})` })),
    addOns: addOns.map((a) => ({ value: a.id, label: `${a.service.code} · ${a.code} (${money(a.amountCents, a.currency)})` })),
    applied: applied.map((a) => ({
      id: a.id, serviceId: a.serviceId, service: a.service.code, code: a.coupon.code, name: a.coupon.name, status: a.status,
      terms: couponTerms({ couponType: a.coupon.couponType, amountCents: a.amountCents, currency: a.currency, percentageRate: a.percentageRate, frequency: a.frequency, frequencyDuration: a.frequencyDuration }),
      remaining: a.amountCentsRemaining !== null ? money(a.amountCentsRemaining, a.currency) : a.frequencyDurationRemaining !== null ? `${a.frequencyDurationRemaining} invoice(s)` : "—",
    })),
  };
}

export const COUPON_FORM_TYPES = ["fixed_amount", "percentage"] as const;
export const COUPON_FORM_FREQUENCIES = ["once", "recurring", "forever"] as const;

/** The console's coupon form (amounts in dollars); the rules between fields are the domain's (lib/coupons/coupons.ts). */
export const couponForm = z
  .object({
    service_id: uuid,
    name: requiredText(),
    code: catalogCode,
    description: textOrNull(2000),
    coupon_type: z.enum(COUPON_FORM_TYPES, { error: "value_is_invalid" }),
    amount: z.string().optional().transform((v) => (v?.trim() ? v.trim() : null)).pipe(dollarsAsCents.nullable()),
    currency: currencyCode.optional().default("CAD"),
    percentage_rate: z.string().optional().transform((v) => (v?.trim() ? v.trim() : null)).pipe(decimalText("value_is_invalid").nullable()),
    frequency: z.enum(COUPON_FORM_FREQUENCIES, { error: "value_is_invalid" }),
    frequency_duration: z.string().optional().transform((v) => (v?.trim() ? v.trim() : null)).pipe(wholeNumber("value_is_invalid", 1).nullable()),
    plan_codes: z.string().optional().transform((v) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean)),
  })
  .transform((f): { serviceId: string; input: CouponInput } => ({
    serviceId: f.service_id,
    input: {
      code: f.code, name: f.name, description: f.description, couponType: f.coupon_type,
      amountCents: f.coupon_type === "fixed_amount" ? f.amount : null, currency: f.coupon_type === "fixed_amount" ? f.currency : null,
      percentageRate: f.coupon_type === "percentage" ? f.percentage_rate : null,
      frequency: f.frequency, frequencyDuration: f.frequency === "recurring" ? Number(f.frequency_duration ?? 0) : null, planCodes: f.plan_codes,
    },
  }));

export const addOnForm = z.object({
  service_id: uuid,
  name: requiredText(),
  code: catalogCode,
  description: textOrNull(2000),
  amount: dollarsAsCents,
  currency: currencyCode.optional().default("CAD"),
});

export const applyCouponForm = z.object({ coupon_id: uuid });

export const oneOffForm = z.object({
  add_on_id: uuid,
  units: z.string().trim().regex(/^\d+(\.\d{1,12})?$/, "value_is_invalid").refine((v) => Number(v) > 0, "value_is_out_of_range"),
  description: textOrNull(2000),
});
