"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { staffActor } from "@/lib/audit/audit-log";
import { updateCustomerDetails } from "@/lib/customers/customer-details";
import { issueLinkToken } from "@/lib/customers/link-tokens";
import { mergeCustomers } from "@/lib/customers/merge-customers";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatCount, formatDateTime } from "@/lib/format";
import type { RevealedSecret } from "@/lib/console/forms/service-forms";
import { changeSubscriptionPlan, createCustomerForService, startSubscriptionForCustomer, terminateSubscriptionForCustomer } from "@/lib/console/customer-commands";
import { customerForm, mergeForm } from "@/lib/console/forms/customer-form";
import { dollarsAsCents, uuid } from "@/lib/console/forms/form-schemas";
import { applyPlanOverrides } from "@/lib/catalog/plan-overrides";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { changePlanForm, newCustomerForm, newSubscriptionForm } from "@/lib/console/forms/subscription-form";
import type { PlanChange } from "@/lib/subscriptions/subscriptions";
import { resumeSubscription, suspendSubscription } from "@/lib/subscriptions/suspension";

const customerId = z.tuple([uuid]);

export const updateCustomerAction = staffAction({ role: "finance", args: customerId }, customerForm, async (fields, { staff, args: [id] }) => {
  await updateCustomerDetails(db(), id, fields, staffActor(staff.id));
  refreshConsole();
  return { message: "Customer saved." };
});

export const mergeCustomerAction = staffAction({ role: "finance", args: customerId }, mergeForm, async ({ source_customer_id }, { staff, args: [targetId] }) => {
  const merged = await mergeCustomers(db(), { targetId, sourceId: source_customer_id, actor: staffActor(staff.id) });
  refreshConsole();
  const { accountLinks, subscriptions, invoices } = merged.moved;
  const moved = [formatCount(accountLinks, "account link"), formatCount(subscriptions, "subscription"), formatCount(invoices, "invoice")];
  return { message: `${merged.source.legalName} merged into this customer: ${moved.join(", ")} moved.` };
});

/** Consent for another app to link its account to this customer (see lib/customers/link-tokens.ts). */
export const issueLinkTokenAction = staffAction<typeof noFields, RevealedSecret, typeof customerId>(
  { role: "finance", args: customerId }, noFields, async (_form, { staff, args: [id] }) => {
    const customer = await db().customer.findFirst({ where: { id, deletedAt: null } });
    if (!customer) throw new DomainError("not_found", "customer_not_found", undefined, "This customer no longer exists.");
    const issued = await issueLinkToken(db(), customer.id, { type: "staff", id: staff.id });
    return {
      message: "Link token issued.",
      result: { secret: issued.token, label: `Link token for ${customer.legalName} (billing_customer_id ${customer.id}), valid until ${formatDateTime(issued.expiresAt)}` },
    };
  },
);
// Customers and subscriptions change through lib/console/customer-commands.ts, which calls the same domain functions as
// the API's routes (same rules), and records a staff audit entry.

export const createCustomerAction = staffAction({ role: "finance" }, newCustomerForm, async ({ service_id, external_id, ...fields }, { staff }) => {
  const customer = await createCustomerForService(db(), { serviceId: service_id, externalId: external_id, fields }, staffActor(staff.id));
  refreshConsole();
  redirect(`/console/customers/${customer.id}`);
});

export const startSubscriptionAction = staffAction({ role: "finance", args: customerId }, newSubscriptionForm, async (form, { staff, args: [id] }) => {
  const sub = await startSubscriptionForCustomer(db(), id, { accountLinkId: form.account_link_id, planCode: form.plan_code, externalId: form.external_id, startDate: form.start_date }, staffActor(staff.id));
  refreshConsole();
  return { message: sub.status === "pending" ? `Subscription ${sub.externalId} starts ${sub.subscriptionAt.toISOString().slice(0, 10)}.` : `Subscription ${sub.externalId} started on ${sub.plan?.name ?? form.plan_code}.` };
});

const CHANGE_MESSAGES: Record<PlanChange, string> = {
  upgraded: "Upgraded: the new plan applies from now; the old one is billed up to today.",
  downgrade_scheduled: "Downgrade scheduled for the end of the current period.",
  plan_swapped: "Plan changed before the subscription started.",
  unchanged: "The subscription is already on this plan.",
  created: "Subscription started.",
};

const subscriptionOfCustomer = z.tuple([uuid, uuid]);

export const changePlanAction = staffAction({ role: "finance", args: subscriptionOfCustomer }, changePlanForm, async ({ plan_code }, { staff, args: [id, subscriptionId] }) => {
  const result = await changeSubscriptionPlan(db(), id, subscriptionId, plan_code, staffActor(staff.id));
  refreshConsole();
  return { message: CHANGE_MESSAGES[result.change] };
});

export const terminateSubscriptionAction = staffAction({ role: "finance", args: subscriptionOfCustomer }, z.object({}), async (_form, { staff, args: [id, subscriptionId] }) => {
  const ended = await terminateSubscriptionForCustomer(db(), id, subscriptionId, staffActor(staff.id));
  refreshConsole();
  return { message: ended.status === "canceled" ? `Subscription ${ended.externalId} cancelled before it started.` : `Subscription ${ended.externalId} terminated: the used part of the period is billed at the next run.` };
});

/** A negotiated base fee for one subscription (plan overrides, lib/catalog/plan-overrides.ts): finance or admin, audited. */
const negotiatedPriceForm = z.object({ amount: dollarsAsCents });

export const setNegotiatedPriceAction = staffAction({ role: "finance", args: subscriptionOfCustomer }, negotiatedPriceForm, async ({ amount }, { staff, args: [id, subscriptionId] }) => {
  const sub = await db().subscription.findFirst({ where: { id: subscriptionId, customerId: id, status: { in: ["active", "pending"] } }, select: { id: true, externalId: true, serviceId: true, planId: true } });
  if (!sub) throw new DomainError("not_found", "subscription_not_found", undefined, "This customer has no such running subscription.");
  await db().$transaction((tx) => applyPlanOverrides(tx, sub, { amountCents: amount }, { type: "staff", id: staff.id }));
  refreshConsole();
  return { message: `Subscription ${sub.externalId} is now billed its negotiated fee from its next invoice on.` };
});

/** Suspending or resuming by staff needs finance (or admin), a reason, and is audited (lib/subscriptions/suspension.ts). */
const suspensionForm = z.object({ reason: z.string().max(500).default("") });

async function subscriptionOfThisCustomer(customerId: string, subscriptionId: string) {
  const sub = await db().subscription.findFirst({ where: { id: subscriptionId, customerId }, select: { id: true, externalId: true } });
  if (!sub) throw new DomainError("not_found", "subscription_not_found", undefined, "This customer has no such subscription.");
  return sub;
}

export const suspendSubscriptionAction = staffAction({ role: "finance", args: subscriptionOfCustomer }, suspensionForm, async ({ reason }, { staff, args: [id, subscriptionId] }) => {
  const sub = await subscriptionOfThisCustomer(id, subscriptionId);
  await suspendSubscription(db(), { subscriptionId: sub.id, reason, actor: { staffId: staff.id } });
  refreshConsole();
  return { message: `Subscription ${sub.externalId} suspended: the app is told, usage is refused and the suspended days are not billed.` };
});

export const resumeSubscriptionAction = staffAction({ role: "finance", args: subscriptionOfCustomer }, suspensionForm, async ({ reason }, { staff, args: [id, subscriptionId] }) => {
  const sub = await subscriptionOfThisCustomer(id, subscriptionId);
  await resumeSubscription(db(), { subscriptionId: sub.id, reason, actor: { staffId: staff.id } });
  refreshConsole();
  return { message: `Subscription ${sub.externalId} resumed: billing and usage start again today.` };
});
