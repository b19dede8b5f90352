"use server";

import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { createAddOn } from "@/lib/catalog/add-ons";
import { applyCoupon, terminateAppliedCoupon } from "@/lib/coupons/applied-coupons";
import { createCoupon, terminateCoupon } from "@/lib/coupons/coupons";
import { addOnForm, applyCouponForm, couponForm, externalIdOfCustomer, oneOffForm } from "@/lib/console/coupons";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { createOneOffInvoice } from "@/lib/invoicing/one-off-invoices";

// Coupons and add-ons belong to a service: the console acts for the service it names (finance or admin).

const id = z.tuple([z.uuid()]);

export const createCouponAction = staffAction({ role: "finance" }, couponForm, async ({ serviceId, input }) => {
  const coupon = await createCoupon(db(), serviceId, input);
  refreshConsole();
  return { message: `Coupon ${coupon.code} created.` };
});

export const terminateCouponAction = staffAction({ role: "finance", args: id }, noFields, async (_form, { args: [couponId] }) => {
  const coupon = await db().coupon.findFirst({ where: { id: couponId, deletedAt: null } });
  if (!coupon) throw new DomainError("not_found", "coupon_not_found");
  await terminateCoupon(db(), coupon.serviceId, coupon.code);
  refreshConsole();
  return { message: `Coupon ${coupon.code} terminated: customers who have it keep it.` };
});

export const createAddOnAction = staffAction({ role: "finance" }, addOnForm, async (form) => {
  const addOn = await createAddOn(db(), form.service_id, { code: form.code, name: form.name, description: form.description, amountCents: form.amount, currency: form.currency });
  refreshConsole();
  return { message: `Add-on ${addOn.code} created.` };
});

/** Applies a coupon to the customer (bound id), for the coupon's service. */
export const applyCouponToCustomerAction = staffAction({ role: "finance", args: id }, applyCouponForm, async (form, { args: [customerId], staff }) => {
  const coupon = await db().coupon.findFirst({ where: { id: form.coupon_id, deletedAt: null } });
  if (!coupon) throw new DomainError("not_found", "coupon_not_found");
  const externalCustomerId = await externalIdOfCustomer(db(), coupon.serviceId, customerId);
  await applyCoupon(db(), coupon.serviceId, { externalCustomerId, couponCode: coupon.code }, new Date(), { type: "staff", id: staff.id });
  refreshConsole();
  return { message: `Coupon ${coupon.code} applied: the customer's next invoices with that service take it.` };
});

export const removeAppliedCouponAction = staffAction({ role: "finance", args: z.tuple([z.uuid(), z.uuid()]) }, noFields, async (_form, { args: [customerId, appliedCouponId], staff }) => {
  const applied = await db().appliedCoupon.findFirst({ where: { id: appliedCouponId, customerId } });
  if (!applied) throw new DomainError("not_found", "applied_coupon_not_found");
  const externalCustomerId = await externalIdOfCustomer(db(), applied.serviceId, customerId);
  await terminateAppliedCoupon(db(), applied.serviceId, externalCustomerId, applied.id, new Date(), { type: "staff", id: staff.id });
  refreshConsole();
  return { message: "Coupon removed from the customer." };
});

/** Issues a one-off invoice of an add-on to the customer (bound id), for the add-on's service. */
export const createOneOffInvoiceAction = staffAction({ role: "finance", args: id }, oneOffForm, async (form, { args: [customerId], staff }) => {
  const addOn = await db().addOn.findFirst({ where: { id: form.add_on_id, deletedAt: null }, include: { service: { select: { id: true, mode: true } } } });
  if (!addOn) throw new DomainError("not_found", "add_on_not_found");
  const externalCustomerId = await externalIdOfCustomer(db(), addOn.serviceId, customerId);
  const invoice = await createOneOffInvoice(db(), addOn.service, { externalCustomerId, fees: [{ addOnCode: addOn.code, units: form.units, description: form.description }] }, { actor: { type: "staff", id: staff.id } });
  refreshConsole();
  return { message: invoice.number ? `Invoice ${invoice.number} issued.` : "Shadow invoice created (the service is in shadow mode)." };
});
