import type { BillingSchedule } from "@/lib/billing/billing-periods";
import { localDate } from "@/lib/billing/calendar-date";
import type { Prisma } from "@/lib/generated/prisma/client";
import { firstBillingBoundary } from "@/lib/invoicing/billing-step";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";

type PlanTiming = {
  interval: BillingSchedule["interval"];
  payInAdvance: boolean;
  billChargesMonthly?: boolean | null;
  trialPeriodDays?: { toString(): string } | string | null;
};

export function scheduleOf(sub: { billingTime: BillingSchedule["billingTime"]; billingAnchorDate: Date }, plan: { interval: BillingSchedule["interval"] }, timezone: string): BillingSchedule {
  return { interval: plan.interval, billingTime: sub.billingTime, anchorDate: localDate(sub.billingAnchorDate, timezone), timezone };
}

/**
 * The schedule usage charges are billed on when it is not the fee's: monthly periods on the same anchor for a yearly or
 * semiannual plan with `bill_charges_monthly` (Lago's semantics: usage every month, the fee on the plan's interval).
 */
export function chargeScheduleOf(
  sub: { billingTime: BillingSchedule["billingTime"]; billingAnchorDate: Date },
  plan: { interval: BillingSchedule["interval"]; billChargesMonthly?: boolean | null },
  timezone: string,
): BillingSchedule | undefined {
  if (!plan.billChargesMonthly || (plan.interval !== "yearly" && plan.interval !== "semiannual")) return undefined;
  return scheduleOf(sub, { interval: "monthly" }, timezone);
}

/** The periods usage is rated on: monthly with `bill_charges_monthly`, else the plan's. */
export function usageScheduleOf(
  sub: { billingTime: BillingSchedule["billingTime"]; billingAnchorDate: Date },
  plan: { interval: BillingSchedule["interval"]; billChargesMonthly?: boolean | null },
  timezone: string,
): BillingSchedule {
  return chargeScheduleOf(sub, plan, timezone) ?? scheduleOf(sub, plan, timezone);
}

const DAY_MS = 86_400_000;

/** When a plan's trial ends for a subscription started at `startedAt` (Lago: started_at + trial_period days), or null. */
export function trialEndOf(startedAt: Date | null, plan: { trialPeriodDays?: { toString(): string } | string | null } | null): Date | null {
  const days = plan?.trialPeriodDays == null ? 0 : Number(plan.trialPeriodDays.toString());
  if (!startedAt || !(days > 0)) return null;
  return new Date(startedAt.getTime() + Math.round(days * DAY_MS));
}

/** When a subscription that has just become active is first billed. */
export function firstBillingAt(
  sub: { billingTime: BillingSchedule["billingTime"]; billingAnchorDate: Date; startedAt: Date; endingAt: Date | null },
  plan: PlanTiming | null,
  timezone: string,
): Date | null {
  if (!plan) return null;
  return firstBillingBoundary({
    payInAdvance: plan.payInAdvance,
    schedule: scheduleOf(sub, plan, timezone),
    chargeSchedule: chargeScheduleOf(sub, plan, timezone),
    startedAt: sub.startedAt,
    endingAt: sub.endingAt,
  });
}

/**
 * Ends subscriptions in bulk at `at` (plan or customer deletion): terminated, and due for their final bill at `at`
 * unless an earlier boundary is still unbilled.
 */
export async function terminateMany(tx: Prisma.TransactionClient, where: { planId?: string | { in: string[] }; serviceId?: string; customerId?: string }, at: Date) {
  const ids = (await tx.subscription.findMany({ where: { ...where, status: "active" }, select: { id: true } })).map((s) => s.id);
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Subscription"
       SET status = 'terminated', "terminatedAt" = ${at}, "nextPlanId" = NULL, "downgradePlanDate" = NULL,
           "nextBillingAt" = LEAST(COALESCE("nextBillingAt", ${at}), ${at}), "updatedAt" = now()
     WHERE id = ANY(${ids}::uuid[])`;
  await recordSubscriptionEvents(tx, ids.map((id) => ({ subscriptionId: id, type: "subscription.terminated" as const })));
}
