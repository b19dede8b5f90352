/**
 * What staff do to a customer from the console, through the same domain functions as the API's routes (so the same
 * rules: currency alignment, dual-run plans, upgrade now / downgrade at period end, one active subscription per
 * external id). Each records a staff audit entry.
 */
import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { isCalendarDate, startOfLocalDay } from "@/lib/billing/calendar-date";
import type { CustomerFields } from "@/lib/customers/service-customers";
import { findServiceCustomer, upsertServiceCustomer } from "@/lib/customers/service-customers";
import { entityNotFound, invalidField } from "@/lib/errors";
import { createOrChangeSubscription, terminateServiceSubscription, type PlanChange } from "@/lib/subscriptions/subscriptions";

/** A new customer behind a service's account id; refused when that account id already names a customer. */
export async function createCustomerForService(client: Db, input: { serviceId: string; externalId: string; fields: CustomerFields }, actor: AuditActor) {
  const service = await client.service.findUnique({ where: { id: input.serviceId }, select: { id: true } });
  if (!service) throw invalidField("service_id", "value_is_invalid", "Choose a service");
  if (await findServiceCustomer(client, input.serviceId, input.externalId)) throw invalidField("external_id", "value_already_exist", "This account id already names a customer of the service");
  const created = await upsertServiceCustomer(client, { serviceId: input.serviceId, externalId: input.externalId, fields: input.fields });
  await recordAudit(client, actor, { action: "customer.created_by_staff", entityType: "Customer", entityId: created.customer.id, data: { serviceId: input.serviceId, externalId: input.externalId } });
  return created.customer;
}

async function linkOf(client: Db, customerId: string, accountLinkId: string) {
  const link = await client.accountLink.findFirst({ where: { id: accountLinkId, customerId, deletedAt: null }, include: { service: { select: { id: true, mode: true } }, customer: { select: { timezone: true } } } });
  if (!link) throw invalidField("account_link_id", "value_is_invalid", "Choose one of the customer's service accounts");
  return link;
}

/** Starts a subscription on one of the customer's service accounts, now or on a day (midnight, customer's timezone). */
export async function startSubscriptionForCustomer(
  client: Db,
  customerId: string,
  input: { accountLinkId: string; planCode: string; externalId: string; startDate: string | null },
  actor: AuditActor,
  now = new Date(),
) {
  const link = await linkOf(client, customerId, input.accountLinkId);
  const existing = await client.subscription.findFirst({ where: { serviceId: link.serviceId, externalId: input.externalId, status: { in: ["active", "pending"] } }, select: { id: true } });
  // The API's create doubles as a plan change; from the console's "start" form it would be a surprise.
  if (existing) throw invalidField("external_id", "value_already_exist", "A subscription with this id is already running: change its plan instead");
  if (input.startDate && !isCalendarDate(input.startDate)) throw invalidField("start_date", "invalid_date", "Not a date");
  const subscriptionAt = input.startDate ? startOfLocalDay(input.startDate, link.customer.timezone) : undefined;
  const { subscription } = await createOrChangeSubscription(client, link.service, { externalCustomerId: link.externalId, planCode: input.planCode, externalId: input.externalId, subscriptionAt }, now);
  await recordAudit(client, actor, { action: "subscription.started_by_staff", entityType: "Subscription", entityId: subscription.id, data: { planCode: input.planCode } });
  return subscription;
}

async function runningSubscription(client: Db, customerId: string, subscriptionId: string) {
  const sub = await client.subscription.findFirst({ where: { id: subscriptionId, customerId }, include: { service: { select: { id: true, mode: true } } } });
  if (!sub) throw entityNotFound("subscription");
  return sub;
}

/** Moves a subscription to another plan with the API's rule; says what happened. */
export async function changeSubscriptionPlan(client: Db, customerId: string, subscriptionId: string, planCode: string, actor: AuditActor, now = new Date()): Promise<{ change: PlanChange; effectiveAt: Date | null }> {
  const sub = await runningSubscription(client, customerId, subscriptionId);
  if (sub.status !== "active" && sub.status !== "pending") throw invalidField("plan_code", "value_is_invalid", "Only a running subscription changes plan");
  const link = await client.accountLink.findFirst({ where: { customerId, serviceId: sub.serviceId, deletedAt: null }, select: { externalId: true } });
  if (!link) throw invalidField("plan_code", "value_is_invalid", "The customer has no account on this subscription's service");
  const result = await createOrChangeSubscription(client, sub.service, { externalCustomerId: link.externalId, planCode, externalId: sub.externalId }, now);
  await recordAudit(client, actor, { action: `subscription.${result.change}_by_staff`, entityType: "Subscription", entityId: sub.id, data: { planCode } });
  return { change: result.change, effectiveAt: result.change === "downgrade_scheduled" ? result.subscription.downgradePlanDate : null };
}

/** Ends a subscription now (or cancels one that has not started), as the API's DELETE does. */
export async function terminateSubscriptionForCustomer(client: Db, customerId: string, subscriptionId: string, actor: AuditActor, now = new Date()) {
  const sub = await runningSubscription(client, customerId, subscriptionId);
  if (sub.status !== "active" && sub.status !== "pending") throw invalidField("subscription", "value_is_invalid", "This subscription has already ended");
  const ended = await terminateServiceSubscription(client, sub.serviceId, sub.externalId, { pending: sub.status === "pending" }, now);
  await recordAudit(client, actor, { action: "subscription.terminated_by_staff", entityType: "Subscription", entityId: sub.id });
  return ended;
}
