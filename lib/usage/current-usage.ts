import type { Db } from "@/lib/db/prisma";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { DomainError } from "@/lib/errors";
import { localDate } from "@/lib/billing/calendar-date";
import { companyProfile } from "@/lib/invoicing/company-profile";
import { invoiceTaxes } from "@/lib/billing/tax/invoice-taxes";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";
import { usageLines } from "@/lib/invoicing/invoice-lines";
import { rateUsageWindow, type UsageWindow } from "@/lib/invoicing/usage-window";
import { usageStartOf } from "@/lib/invoicing/billing-step";
import { scheduleOf } from "@/lib/subscriptions/billing-schedule";
import type { RatedCharge } from "@/lib/rating/rate-subscription-usage";
import { getServiceSubscription } from "@/lib/subscriptions/subscriptions";
import { chargeScheduleOf, usageScheduleOf } from "@/lib/subscriptions/billing-schedule";
import { periodContaining } from "@/lib/billing/billing-periods";
import type { Customer, Plan, Subscription } from "@/lib/generated/prisma/client";

export interface CurrentUsage {
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  charges: RatedCharge[];
  /** Usage charges and their spending-minimum true-ups, before tax. */
  amountCents: bigint;
  /** Tax the period-end invoice would add on that amount at today's rates (0 when it cannot be computed yet). */
  taxesCents: bigint;
}

/** Usage so far in the subscription's current billing period, priced as the period-end invoice would price it. */
export async function currentUsage(client: Db, serviceId: string, externalCustomerId: string, externalSubscriptionId: string, now = new Date()): Promise<CurrentUsage> {
  // The usual case in one query: the service's active subscription, held by the customer its link names.
  const found = await client.subscription.findFirst({
    where: {
      serviceId, externalId: externalSubscriptionId, status: "active",
      customer: { deletedAt: null, accountLinks: { some: { serviceId, externalId: externalCustomerId, deletedAt: null } } },
    },
    orderBy: { createdAt: "desc" },
    include: { customer: true, plan: true },
  });
  if (found) return subscriptionCurrentUsage(client, found, now);
  // Otherwise the precise refusal: an unknown customer, or no active subscription of theirs.
  const { customer } = await getServiceCustomer(client, serviceId, externalCustomerId);
  const subscription = await getServiceSubscription(client, serviceId, externalSubscriptionId, "active").catch((error) => {
    if (error instanceof DomainError && error.kind === "not_found") throw new DomainError("not_allowed", "no_active_subscription");
    throw error;
  });
  if (subscription.customerId !== customer.id) throw new DomainError("not_allowed", "no_active_subscription");
  return subscriptionCurrentUsage(client, subscription, now);
}

/**
 * The usage window of the subscription's current period, as the period close will bill it: with bill_charges_monthly
 * the month of the yearly period (the charge schedule), starting no earlier than the subscription's usage start
 * (usageStartOf: the start of its first day when it started on its subscription date). current_usage, the usage
 * monitor (thresholds, progressive billing, alerts) and the close must all use this one window.
 */
export function currentUsageWindow(
  subscription: Pick<Subscription, "subscriptionAt" | "startedAt" | "billingTime" | "billingAnchorDate"> & { plan: Pick<Plan, "interval" | "billChargesMonthly"> | null },
  timezone: string,
  now = new Date(),
): UsageWindow | null {
  const plan = subscription.plan;
  if (!plan) return null;
  const at = now < subscription.subscriptionAt ? subscription.subscriptionAt : now;
  // With bill_charges_monthly, usage is billed (and shown) per month of the yearly period.
  const period = chargeScheduleOf(subscription, plan, timezone)
    ? periodContaining(at, usageScheduleOf(subscription, plan, timezone))
    : periodContaining(at, scheduleOf(subscription, plan, timezone));
  const usageFrom = subscription.startedAt
    ? usageStartOf({ startedAt: subscription.startedAt, subscriptionAt: subscription.subscriptionAt, schedule: scheduleOf(subscription, plan, timezone) })
    : null;
  const start = usageFrom && usageFrom > period.start ? usageFrom : period.start;
  return { start, end: period.end, period: { start: period.start, end: period.end } };
}

/** The same for a subscription already loaded (the portal lists every subscription of the signed-in customer). */
export async function subscriptionCurrentUsage(client: Db, subscription: Subscription & { customer: Customer; plan: Plan | null }, now = new Date()): Promise<CurrentUsage> {
  const customer = subscription.customer;
  const window = currentUsageWindow(subscription, customer.timezone, now);
  if (!window) throw new DomainError("not_allowed", "no_active_subscription", undefined, "The subscription has no plan to bill usage against");
  const period = window.period;
  const charges = await rateUsageWindow(client, subscription, window);
  const profile = await companyProfile(client);
  const composition = composeInvoice({
    lines: usageLines(subscription.id, charges, window),
    taxes: (taxableCents) => {
      try {
        return invoiceTaxes(customer, profile, taxableCents, localDate(now, customer.timezone));
      } catch (error) {
        // A customer the invoice could not tax yet (no province) still sees its usage; the invoice run reports the problem.
        if (!(error instanceof DomainError)) throw error;
        return { lines: [], totalCents: BigInt(0), note: null };
      }
    },
  });
  return {
    periodStart: period.start,
    periodEnd: period.end,
    currency: subscription.plan?.currency ?? customer.currency,
    charges,
    amountCents: composition.taxableCents,
    taxesCents: composition.taxesCents,
  };
}
