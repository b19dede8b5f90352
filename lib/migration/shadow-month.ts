/**
 * What Nexa Billing charges a customer's shadow subscriptions for one calendar month (pre-tax), line by line, as the
 * engine bills it: base fee prorated to the day, usage rated by the charge models. Every migration source reconciles
 * the old system's invoices of the month against these lines.
 */
import { periodContaining, type BillingPeriod } from "@/lib/billing/billing-periods";
import { localDate, startOfLocalDay } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { proratedFee } from "@/lib/billing/proration";
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { rateSubscriptionUsage } from "@/lib/rating/rate-subscription-usage";

export interface Tolerance {
  cents: bigint;
  /** Percent of the old system's amount, as a decimal string ("0.5" = 0.5 %). */
  percent: string;
}

export interface ComputedLine {
  subscriptionId: string;
  externalSubscriptionId: string;
  kind: "subscription_fee" | "usage_charge";
  description: string;
  amountCents: string;
  detail?: string;
}

/** Whether a delta is within tolerance: absolute cents, or a percentage of the old system's amount. */
export function withinTolerance(deltaCents: bigint, externalCents: bigint, tolerance: Tolerance): boolean {
  const delta = deltaCents < BigInt(0) ? -deltaCents : deltaCents;
  if (delta <= tolerance.cents) return true;
  const percent = decimal(tolerance.percent);
  if (percent.lte(0)) return false;
  const external = externalCents < BigInt(0) ? -externalCents : externalCents;
  return decimal(delta.toString()).lte(decimal(external.toString()).mul(percent).div(100));
}

export function calendarMonthOf(period: string, timezone: string): BillingPeriod {
  const first = `${period}-01`;
  return periodContaining(startOfLocalDay(first, timezone), { interval: "monthly", billingTime: "calendar", anchorDate: first, timezone });
}

export type ShadowSubscription = Prisma.SubscriptionGetPayload<{ include: { plan: true; customer: { select: { id: true; timezone: true } } } }>;

/** The service's shadow subscriptions that may overlap month `period` in any timezone (a day of margin either side). */
export function shadowSubscriptionsNearMonth(client: Db, serviceId: string, period: string): Promise<ShadowSubscription[]> {
  const roughStart = new Date(Date.parse(`${period}-01T00:00:00Z`) - 86_400_000);
  const roughEnd = new Date(Date.parse(`${period}-01T00:00:00Z`) + 33 * 86_400_000);
  return client.subscription.findMany({
    where: {
      serviceId, shadow: true,
      OR: [{ startedAt: { lt: roughEnd } }, { startedAt: null, subscriptionAt: { lt: roughEnd } }],
      AND: [{ OR: [{ terminatedAt: null }, { terminatedAt: { gt: roughStart } }] }],
    },
    include: { plan: true, customer: { select: { id: true, timezone: true } } },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
  });
}

/** What Nexa Billing charges one customer's shadow subscriptions for the month (pre-tax), line by line. */
export async function computeMonth(client: Db, subscriptions: ShadowSubscription[], period: string): Promise<ComputedLine[]> {
  const lines: ComputedLine[] = [];
  for (const sub of subscriptions) {
    const month = calendarMonthOf(period, sub.customer.timezone);
    const startedAt = sub.startedAt ?? sub.subscriptionAt;
    const start = startedAt > month.start ? startedAt : month.start;
    const end = sub.terminatedAt && sub.terminatedAt < month.end ? sub.terminatedAt : month.end;
    if (end <= start) continue;
    if (!sub.plan) throw new Error(`Subscription ${sub.externalId} has no plan to take a monthly fee from.`);
    if (sub.plan.interval !== "monthly") throw new Error(`Subscription ${sub.externalId}'s plan ${sub.plan.code} is not monthly.`);
    // Days in the customer's clock, both ends included: the termination day is used, as the engine bills it.
    const fromDate = startedAt > month.start ? localDate(startedAt, sub.customer.timezone) : month.firstDay;
    const toDate = sub.terminatedAt && sub.terminatedAt < month.end ? localDate(sub.terminatedAt, sub.customer.timezone) : month.lastDay;
    const whole = fromDate === month.firstDay && toDate === month.lastDay;
    const fee = whole ? null : proratedFee(sub.plan.amountCents, month, fromDate, toDate);
    lines.push({
      subscriptionId: sub.id,
      externalSubscriptionId: sub.externalId,
      kind: "subscription_fee",
      description: `${sub.plan.invoiceDisplayName ?? sub.plan.name} — monthly fee`,
      amountCents: (fee ? fee.amountCents : sub.plan.amountCents).toString(),
      detail: fee ? `${fee.days}/${fee.periodDays} days (${fromDate} to ${toDate})` : undefined,
    });
    for (const rated of await rateSubscriptionUsage(client, sub, { start, end })) {
      const price = rated.price;
      lines.push({
        subscriptionId: sub.id,
        externalSubscriptionId: sub.externalId,
        kind: "usage_charge",
        description: rated.charge.invoiceDisplayName ?? rated.charge.billableMetric.name,
        amountCents: (price.amountCents + price.trueUpCents).toString(),
        detail: `${price.units.toString()} ${rated.charge.billableMetric.code}, ${price.includedUnits.toString()} included, ${price.billableUnits.toString()} billed`,
      });
    }
  }
  return lines;
}

