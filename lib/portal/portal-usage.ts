import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { subscriptionInclude } from "@/lib/subscriptions/subscriptions";
import { subscriptionCurrentUsage } from "@/lib/usage/current-usage";
import { filterLineName } from "@/lib/rating/charge-filters";

export interface UsageBar {
  /** Period start (UTC ISO) and whether it is the period still running. */
  periodStart: string;
  current: boolean;
  units: string;
  amountCents: string;
}

export interface MetricUsage {
  metricCode: string;
  metricName: string;
  includedUnits: string;
  currentUnits: string;
  currentAmountCents: string;
  /** Up to five invoiced periods, oldest first, then the current one. */
  bars: UsageBar[];
}

export interface SubscriptionUsage {
  subscriptionId: string;
  serviceName: string;
  planName: string;
  currency: string;
  periodStart: string;
  periodEnd: string;
  amountCents: string;
  taxesCents: string;
  metrics: MetricUsage[];
  /** Why usage cannot be shown (e.g. no plan), instead of the figures. */
  unavailable: string | null;
}

const HISTORY_PERIODS = 5;

/**
 * The signed-in customer's usage: for each live (non-shadow) subscription, this period's usage per metric priced as the
 * period-end invoice will price it, with the quantities invoiced for the previous periods for the chart.
 */
export async function portalUsage(client: Db, customerId: string, now = new Date()): Promise<SubscriptionUsage[]> {
  const subscriptions = await client.subscription.findMany({
    where: { customerId, status: "active", shadow: false },
    include: { ...subscriptionInclude, service: true },
    orderBy: { createdAt: "asc" },
  });
  const result: SubscriptionUsage[] = [];
  for (const subscription of subscriptions) {
    const base = { subscriptionId: subscription.id, serviceName: subscription.service.name, planName: subscription.plan?.name ?? "Custom", currency: subscription.plan?.currency ?? subscription.customer.currency };
    let usage;
    try {
      usage = await subscriptionCurrentUsage(client, subscription, now);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      result.push({ ...base, periodStart: "", periodEnd: "", amountCents: "0", taxesCents: "0", metrics: [], unavailable: error.message });
      continue;
    }
    const history = await client.invoiceLine.findMany({
      where: { subscriptionId: subscription.id, kind: "usage_charge", invoice: { shadow: false, status: { in: ["finalized", "paid"] } }, periodStart: { lt: usage.periodStart } },
      select: { chargeId: true, quantity: true, amountCents: true, periodStart: true, details: true },
      orderBy: { periodStart: "desc" },
      take: HISTORY_PERIODS * Math.max(1, usage.charges.length),
    });
    const metrics = usage.charges.map((rated): MetricUsage => {
      // A charge with filters is one row per filter and one for the rest, each with its own invoiced lines.
      const bucket = rated.filter ? (rated.filter.filter ? rated.filter.index : "default") : undefined;
      const bucketOf = (details: unknown) => {
        const stored = (details as { filter?: { index: number } | "default" } | null)?.filter;
        return stored === undefined ? undefined : stored === "default" ? "default" : stored.index;
      };
      const chargeName = rated.charge.invoiceDisplayName ?? rated.charge.billableMetric.name;
      const past = history
        .filter((line) => line.chargeId === rated.charge.id && line.periodStart && bucketOf(line.details) === bucket)
        .slice(0, HISTORY_PERIODS)
        .reverse()
        .map((line) => ({ periodStart: line.periodStart!.toISOString(), current: false, units: line.quantity.toString(), amountCents: line.amountCents.toString() }));
      const currentAmount = rated.price.amountCents + rated.price.trueUpCents;
      return {
        metricCode: rated.charge.billableMetric.code,
        metricName: rated.filter?.filter ? filterLineName(chargeName, rated.filter.filter) : rated.filter ? chargeName : rated.charge.billableMetric.name,
        includedUnits: rated.charge.includedQuantity.toString(),
        currentUnits: rated.aggregate.units.toString(),
        currentAmountCents: currentAmount.toString(),
        bars: [...past, { periodStart: usage.periodStart.toISOString(), current: true, units: rated.aggregate.units.toString(), amountCents: currentAmount.toString() }],
      };
    });
    result.push({
      ...base,
      periodStart: usage.periodStart.toISOString(),
      periodEnd: usage.periodEnd.toISOString(),
      amountCents: usage.amountCents.toString(),
      taxesCents: usage.taxesCents.toString(),
      metrics,
      unavailable: null,
    });
  }
  return result;
}
