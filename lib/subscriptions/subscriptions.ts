import type { Db } from "@/lib/db/prisma";
import { periodContaining } from "@/lib/billing/billing-periods";
import { findServiceCustomer, upsertServiceCustomer } from "@/lib/customers/service-customers";
import { getPlanByCode, yearlyEquivalentCents, type PlanWithCharges } from "@/lib/catalog/plans";
import { applyPlanOverrides, overriddenAmount, type PlanOverrides } from "@/lib/catalog/plan-overrides";
import { DomainError, entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import type { BillingTime, Prisma, SubscriptionStatus } from "@/lib/generated/prisma/client";
import { boundaryAfterTermination } from "@/lib/invoicing/billing-step";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";
import { firstBillingAt, scheduleOf } from "./billing-schedule";

const include = {
  customer: true,
  // planInclude's shape, spelled out: catalog/plans imports this module, so its value may not be ready here yet.
  plan: {
    include: {
      charges: { where: { deletedAt: null }, include: { billableMetric: true }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] },
      usageThresholds: { orderBy: [{ recurring: "asc" }, { amountCents: "asc" }] },
    },
  },
  nextPlan: true,
  previousSubscription: { include: { plan: true } },
} satisfies Prisma.SubscriptionInclude;
export type SubscriptionWithRelations = Prisma.SubscriptionGetPayload<{ include: typeof include }>;
export { include as subscriptionInclude };

/**
 * A plan owned by a service still in shadow mode (e.g. the legacy plans a dual-run import creates) is priced for
 * comparison with the old system only: a live service may not subscribe anyone to it, or it would be charged.
 */
async function refuseDualRunPlanForLiveService(client: Db, plan: { serviceId: string | null }, service: { id: string; mode: "shadow" | "live" }) {
  if (service.mode !== "live" || !plan.serviceId || plan.serviceId === service.id) return;
  const owner = await client.service.findUnique({ where: { id: plan.serviceId }, select: { mode: true } });
  if (owner?.mode === "shadow") {
    throw new DomainError("forbidden", "plan_in_dual_run", undefined, "This plan belongs to a service still in shadow mode (dual-run) and cannot be used by a live service");
  }
}

export interface SubscriptionRequest {
  externalCustomerId: string;
  planCode: string;
  externalId: string;
  billingTime?: BillingTime;
  subscriptionAt?: Date;
  endingAt?: Date | null;
  name?: string | null;
  /** Lago's plan_overrides: a negotiated price for this subscription only (lib/catalog/plan-overrides.ts). */
  planOverrides?: PlanOverrides;
}

export type PlanChange = "created" | "unchanged" | "upgraded" | "downgrade_scheduled" | "plan_swapped";

/** The current billing period of a subscription, in its customer's timezone. */
export function currentPeriod(subscription: Pick<SubscriptionWithRelations, "subscriptionAt" | "billingTime" | "billingAnchorDate"> & { plan: { interval: NonNullable<SubscriptionWithRelations["plan"]>["interval"] } | null; customer: { timezone: string } }, at = new Date()) {
  if (!subscription.plan) return null;
  return periodContaining(at < subscription.subscriptionAt ? subscription.subscriptionAt : at, scheduleOf(subscription, subscription.plan, subscription.customer.timezone));
}

async function load(tx: Db | Prisma.TransactionClient, id: string): Promise<SubscriptionWithRelations> {
  return tx.subscription.findUniqueOrThrow({ where: { id }, include });
}

/**
 * Starts pending subscriptions whose start has come (future-dated ones and scheduled downgrades), terminating the
 * subscription a downgrade replaces. Idempotent; the billing run calls it, and the API before answering a service.
 */
export async function activateDueSubscriptions(client: Db, now = new Date(), serviceId?: string): Promise<number> {
  // The status as a literal: Prisma sends an enum as a cast of a parameter, which the planner cannot match to the
  // partial index of pending subscriptions (Subscription_pending_subscriptionAt_idx).
  const due = await client.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Subscription"
     WHERE status = 'pending' AND "subscriptionAt" <= ${now} AND (${serviceId ?? null}::uuid IS NULL OR "serviceId" = ${serviceId ?? null}::uuid)`;
  for (const { id } of due) {
    await client.$transaction(async (tx) => {
      const sub = await tx.subscription.findUnique({ where: { id }, include: { plan: true, customer: true } });
      if (!sub || sub.status !== "pending") return;
      if (sub.previousSubscriptionId) {
        const previous = await tx.subscription.findUnique({ where: { id: sub.previousSubscriptionId } });
        if (previous?.status === "active") {
          await tx.subscription.update({
            where: { id: previous.id },
            data: {
              status: "terminated", terminatedAt: sub.subscriptionAt, nextPlanId: null, downgradePlanDate: null,
              nextBillingAt: boundaryAfterTermination(previous.nextBillingAt, sub.subscriptionAt),
            },
          });
          await recordSubscriptionEvents(tx, [{ subscriptionId: previous.id, type: "subscription.terminated" }]);
        }
      }
      const startedAt = sub.subscriptionAt;
      await tx.subscription.update({
        where: { id },
        data: { status: "active", startedAt, nextBillingAt: firstBillingAt({ ...sub, startedAt }, sub.plan, sub.customer.timezone) },
      });
      await recordSubscriptionEvents(tx, [{ subscriptionId: id, type: "subscription.started" }]);
    });
  }
  return due.length;
}

function checkEndingAt(endingAt: Date | null | undefined, startsAt: Date, now: Date) {
  if (endingAt && (endingAt <= now || endingAt <= startsAt)) throw invalidField("ending_at", "invalid_date");
}

/**
 * Lago's subscription create, which doubles as a plan change for an existing external id: same plan → unchanged;
 * a subscription that has not started yet → its plan is swapped; a plan whose yearly-equivalent fee is at least the
 * current one's → upgrade, effective now (the old subscription ends, a new one with the same external id and billing
 * anchor starts); a cheaper plan → downgrade, scheduled for the end of the current billing period.
 */
export async function createOrChangeSubscription(
  client: Db,
  service: { id: string; mode: "shadow" | "live" },
  request: SubscriptionRequest,
  now = new Date(),
): Promise<{ subscription: SubscriptionWithRelations; change: PlanChange }> {
  await activateDueSubscriptions(client, now, service.id);
  const listed = await getPlanByCode(client, request.planCode);
  await refuseDualRunPlanForLiveService(client, listed, service);
  // The plan as this subscription will be billed: its amount and currency overridden when the request negotiates them.
  const overrides = request.planOverrides;
  const plan = { ...listed, amountCents: overriddenAmount(listed, overrides), currency: overrides?.currency ?? listed.currency };
  const withOverrides = async (tx: Prisma.TransactionClient, subscriptionId: string) => {
    if (overrides) await applyPlanOverrides(tx, { id: subscriptionId, serviceId: service.id, planId: listed.id }, overrides);
  };
  let customer = await findServiceCustomer(client, service.id, request.externalCustomerId);
  // Lago creates the customer when a subscription names an unknown one.
  customer ??= await upsertServiceCustomer(client, { serviceId: service.id, externalId: request.externalCustomerId, fields: { currency: plan.currency } });

  try {
    return await client.$transaction(async (tx) => {
      const current = await tx.subscription.findFirst({
        where: { serviceId: service.id, externalId: request.externalId, status: { in: ["active", "pending"] } },
        orderBy: [{ status: "asc" }, { createdAt: "asc" }],
        include,
      });
      if (current && current.customerId !== customer.customer.id) throw invalidField("external_id", "value_already_exist");

      if (!current) {
        await alignCustomerCurrency(tx, customer.customer.id, customer.customer.currency, plan);
        const startsAt = request.subscriptionAt ?? now;
        checkEndingAt(request.endingAt, startsAt, now);
        const active = startsAt <= now;
        const created = await tx.subscription.create({
          data: {
            externalId: request.externalId,
            name: request.name ?? null,
            customerId: customer.customer.id,
            serviceId: service.id,
            planId: plan.id,
            status: active ? "active" : "pending",
            billingTime: request.billingTime ?? "calendar",
            billingAnchorDate: startsAt,
            subscriptionAt: startsAt,
            startedAt: active ? startsAt : null,
            endingAt: request.endingAt ?? null,
            shadow: service.mode === "shadow",
            nextBillingAt: active
              ? firstBillingAt({ billingTime: request.billingTime ?? "calendar", billingAnchorDate: startsAt, startedAt: startsAt, endingAt: request.endingAt ?? null }, plan, customer.customer.timezone)
              : null,
          },
        });
        await withOverrides(tx, created.id);
        // A future-dated subscription announces itself when it starts (activateDueSubscriptions).
        if (active) await recordSubscriptionEvents(tx, [{ subscriptionId: created.id, type: "subscription.started" }]);
        return { subscription: await load(tx, created.id), change: "created" as const };
      }

      if (current.planId === plan.id || current.plan?.parentId === plan.id) {
        // Same plan: nothing changes, except the negotiated price when the request carries one.
        if (!overrides) return { subscription: current, change: "unchanged" as const };
        await applyPlanOverrides(tx, { id: current.id, serviceId: service.id, planId: current.planId }, overrides);
        await recordSubscriptionEvents(tx, [{ subscriptionId: current.id, type: "subscription.updated" }]);
        return { subscription: await load(tx, current.id), change: "unchanged" as const };
      }
      await alignCustomerCurrency(tx, customer.customer.id, customer.customer.currency, plan);

      if (current.status === "pending" && !current.previousSubscriptionId) {
        await tx.subscription.update({ where: { id: current.id }, data: { planId: plan.id } });
        await withOverrides(tx, current.id);
        await recordSubscriptionEvents(tx, [{ subscriptionId: current.id, type: "subscription.updated" }]);
        return { subscription: await load(tx, current.id), change: "plan_swapped" as const };
      }

      const active = current.status === "active" ? current : await load(tx, current.previousSubscriptionId!);
      // A later plan change replaces a downgrade already scheduled.
      await tx.subscription.updateMany({
        where: { previousSubscriptionId: active.id, status: "pending" },
        data: { status: "canceled", canceledAt: now },
      });
      if (!active.plan) throw new DomainError("not_allowed", "subscription_has_no_plan", undefined, "A subscription without a plan cannot change plan");

      if (yearlyEquivalentCents(plan) >= yearlyEquivalentCents(active.plan)) {
        await tx.subscription.update({
          where: { id: active.id },
          data: { status: "terminated", terminatedAt: now, nextPlanId: plan.id, downgradePlanDate: null, nextBillingAt: boundaryAfterTermination(active.nextBillingAt, now) },
        });
        const upgraded = await tx.subscription.create({
          data: {
            externalId: active.externalId,
            name: request.name ?? active.name,
            customerId: active.customerId,
            serviceId: active.serviceId,
            planId: plan.id,
            status: "active",
            billingTime: active.billingTime,
            billingAnchorDate: active.billingAnchorDate,
            subscriptionAt: active.subscriptionAt,
            startedAt: now,
            endingAt: active.endingAt,
            shadow: active.shadow,
            previousSubscriptionId: active.id,
            nextBillingAt: firstBillingAt({ ...active, startedAt: now }, plan, active.customer.timezone),
          },
        });
        await withOverrides(tx, upgraded.id);
        await recordSubscriptionEvents(tx, [
          { subscriptionId: active.id, type: "subscription.terminated" },
          { subscriptionId: upgraded.id, type: "subscription.started" },
        ]);
        return { subscription: await load(tx, upgraded.id), change: "upgraded" as const };
      }

      const period = currentPeriod(active, now);
      if (!period) throw new DomainError("not_allowed", "subscription_has_no_plan");
      const next = await tx.subscription.create({
        data: {
          externalId: active.externalId,
          name: active.name,
          customerId: active.customerId,
          serviceId: active.serviceId,
          planId: plan.id,
          status: "pending",
          billingTime: active.billingTime,
          billingAnchorDate: active.billingAnchorDate,
          subscriptionAt: period.end,
          endingAt: active.endingAt,
          shadow: active.shadow,
          previousSubscriptionId: active.id,
        },
      });
      await withOverrides(tx, next.id);
      await tx.subscription.update({ where: { id: active.id }, data: { nextPlanId: plan.id, downgradePlanDate: period.end } });
      await recordSubscriptionEvents(tx, [{ subscriptionId: active.id, type: "subscription.updated" }]);
      return { subscription: await load(tx, active.id), change: "downgrade_scheduled" as const };
    });
  } catch (error) {
    // A concurrent create for the same external id won the race on the one-active-subscription index.
    if (isUniqueViolation(error)) throw invalidField("external_id", "value_already_exist");
    throw error;
  }
}

/** A customer takes the currency of its first plan; after that, plans in another currency are refused. */
async function alignCustomerCurrency(tx: Prisma.TransactionClient, customerId: string, currency: string, plan: Pick<PlanWithCharges, "code" | "currency">) {
  if (currency === plan.currency) return;
  const priced = (await tx.subscription.count({ where: { customerId } })) + (await tx.invoice.count({ where: { customerId } }));
  if (priced > 0) throw invalidField("currency", "currencies_does_not_match", `The customer is billed in ${currency}; plan ${plan.code} is in ${plan.currency}`);
  await tx.customer.update({ where: { id: customerId }, data: { currency: plan.currency } });
}

export async function getServiceSubscription(client: Db | Prisma.TransactionClient, serviceId: string, externalId: string, status: SubscriptionStatus = "active") {
  const subscription = await client.subscription.findFirst({
    where: { serviceId, externalId, status },
    orderBy: { createdAt: "desc" },
    include,
  });
  if (!subscription) throw entityNotFound("subscription");
  return subscription;
}

export async function listServiceSubscriptions(
  client: Db,
  serviceId: string,
  query: { skip: number; take: number; externalCustomerId?: string; planCode?: string; statuses: SubscriptionStatus[]; externalId?: string; overridden?: boolean },
) {
  await activateDueSubscriptions(client, new Date(), serviceId);
  let customerId: string | undefined;
  if (query.externalCustomerId) {
    const found = await findServiceCustomer(client, serviceId, query.externalCustomerId);
    if (!found) return { total: 0, items: [] };
    customerId = found.customer.id;
  }
  const where: Prisma.SubscriptionWhereInput = {
    serviceId,
    status: { in: query.statuses },
    ...(customerId ? { customerId } : {}),
    ...(query.planCode ? { plan: { code: query.planCode } } : {}),
    ...(query.externalId ? { externalId: query.externalId } : {}),
    ...(query.overridden === undefined ? {} : { plan: { ...(query.planCode ? { code: query.planCode } : {}), parentId: query.overridden ? { not: null } : null } }),
  };
  const [total, items] = await Promise.all([
    client.subscription.count({ where }),
    client.subscription.findMany({ where, include, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: query.skip, take: query.take }),
  ]);
  return { total, items };
}

export async function updateServiceSubscription(
  client: Db,
  serviceId: string,
  externalId: string,
  status: SubscriptionStatus,
  changes: { name?: string | null; endingAt?: Date | null; subscriptionAt?: Date; onTerminationCreditNote?: string; onTerminationInvoice?: string; planOverrides?: PlanOverrides },
  now = new Date(),
) {
  return client.$transaction(async (tx) => {
    const sub = await getServiceSubscription(tx, serviceId, externalId, status);
    const data: Prisma.SubscriptionUpdateInput = {};
    if (changes.name !== undefined) data.name = changes.name;
    if (changes.onTerminationCreditNote !== undefined) data.onTerminationCreditNote = changes.onTerminationCreditNote;
    if (changes.onTerminationInvoice !== undefined) data.onTerminationInvoice = changes.onTerminationInvoice;
    if (changes.subscriptionAt !== undefined) {
      if (sub.status !== "pending") throw invalidField("subscription_at", "value_is_invalid", "Only a subscription that has not started can move its start");
      data.subscriptionAt = changes.subscriptionAt;
      data.billingAnchorDate = changes.subscriptionAt;
    }
    if (changes.endingAt !== undefined) {
      checkEndingAt(changes.endingAt, changes.subscriptionAt ?? sub.subscriptionAt, now);
      data.endingAt = changes.endingAt;
      if (changes.endingAt && sub.nextBillingAt && changes.endingAt < sub.nextBillingAt) data.nextBillingAt = changes.endingAt;
    }
    await tx.subscription.update({ where: { id: sub.id }, data });
    if (changes.planOverrides) await applyPlanOverrides(tx, sub, changes.planOverrides);
    await recordSubscriptionEvents(tx, [{ subscriptionId: sub.id, type: "subscription.updated" }]);
    return load(tx, sub.id);
  });
}

/**
 * Terminates an active subscription now (a scheduled downgrade is cancelled with it), or cancels a pending one.
 * The billing run invoices the used part of the period and credits unused prepaid fees.
 */
export async function terminateServiceSubscription(
  client: Db,
  serviceId: string,
  externalId: string,
  options: { pending?: boolean; onTerminationCreditNote?: string; onTerminationInvoice?: string } = {},
  now = new Date(),
) {
  await activateDueSubscriptions(client, now, serviceId);
  return client.$transaction(async (tx) => {
    const sub = await getServiceSubscription(tx, serviceId, externalId, options.pending ? "pending" : "active");
    if (options.pending) {
      await tx.subscription.update({ where: { id: sub.id }, data: { status: "canceled", canceledAt: now } });
      if (sub.previousSubscriptionId) {
        await tx.subscription.update({ where: { id: sub.previousSubscriptionId }, data: { nextPlanId: null, downgradePlanDate: null } });
      }
    } else {
      await tx.subscription.updateMany({ where: { previousSubscriptionId: sub.id, status: "pending" }, data: { status: "canceled", canceledAt: now } });
      await tx.subscription.update({
        where: { id: sub.id },
        data: {
          status: "terminated",
          terminatedAt: now,
          nextPlanId: null,
          downgradePlanDate: null,
          nextBillingAt: boundaryAfterTermination(sub.nextBillingAt, now),
          ...(options.onTerminationCreditNote ? { onTerminationCreditNote: options.onTerminationCreditNote } : {}),
          ...(options.onTerminationInvoice ? { onTerminationInvoice: options.onTerminationInvoice } : {}),
        },
      });
    }
    // Lago sends subscription.terminated for a cancelled pending subscription too (its status says canceled).
    await recordSubscriptionEvents(tx, [{ subscriptionId: sub.id, type: "subscription.terminated" }]);
    return load(tx, sub.id);
  });
}
