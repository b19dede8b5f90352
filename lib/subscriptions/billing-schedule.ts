import type { BillingSchedule } from "@/lib/billing/billing-periods";
import { localDate } from "@/lib/billing/calendar-date";
import type { Prisma } from "@/lib/generated/prisma/client";
import { firstBillingBoundary } from "@/lib/invoicing/billing-step";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";

type PlanTiming = { interval: BillingSchedule["interval"]; payInAdvance: boolean };

export function scheduleOf(sub: { billingTime: BillingSchedule["billingTime"]; billingAnchorDate: Date }, plan: { interval: BillingSchedule["interval"] }, timezone: string): BillingSchedule {
  return { interval: plan.interval, billingTime: sub.billingTime, anchorDate: localDate(sub.billingAnchorDate, timezone), timezone };
}

/** When a subscription that has just become active is first billed. */
export function firstBillingAt(
  sub: { billingTime: BillingSchedule["billingTime"]; billingAnchorDate: Date; startedAt: Date; endingAt: Date | null },
  plan: PlanTiming | null,
  timezone: string,
): Date | null {
  if (!plan) return null;
  return firstBillingBoundary({ payInAdvance: plan.payInAdvance, schedule: scheduleOf(sub, plan, timezone), startedAt: sub.startedAt, endingAt: sub.endingAt });
}

/**
 * Ends subscriptions in bulk at `at` (plan or customer deletion): terminated, and due for their final bill at `at`
 * unless an earlier boundary is still unbilled.
 */
export async function terminateMany(tx: Prisma.TransactionClient, where: { planId?: string; serviceId?: string; customerId?: string }, at: Date) {
  const ids = (await tx.subscription.findMany({ where: { ...where, status: "active" }, select: { id: true } })).map((s) => s.id);
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Subscription"
       SET status = 'terminated', "terminatedAt" = ${at}, "nextPlanId" = NULL, "downgradePlanDate" = NULL,
           "nextBillingAt" = LEAST(COALESCE("nextBillingAt", ${at}), ${at}), "updatedAt" = now()
     WHERE id = ANY(${ids}::uuid[])`;
  await recordSubscriptionEvents(tx, ids.map((id) => ({ subscriptionId: id, type: "subscription.terminated" as const })));
}
