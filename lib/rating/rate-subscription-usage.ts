import type { Db } from "@/lib/db/prisma";
import { aggregateUsage, type UsageAggregate } from "@/lib/billing/aggregation";
import { priceCharge, type ChargePrice, type PricedCharge } from "@/lib/billing/charge-models";
import { decimal } from "@/lib/billing/decimal";
import type { BillableMetric, Charge, Prisma } from "@/lib/generated/prisma/client";

export type ChargeWithMetric = Charge & { billableMetric: BillableMetric };

export interface RatedCharge {
  charge: ChargeWithMetric;
  aggregate: UsageAggregate;
  price: ChargePrice;
}

export interface RatingWindow {
  start: Date;
  /** Exclusive. */
  end: Date;
}

/** The charges that price a subscription: its plan's, plus any attached to the subscription itself (shadow imports). */
export async function chargesOfSubscription(client: Db | Prisma.TransactionClient, subscription: { id: string; planId: string | null }): Promise<ChargeWithMetric[]> {
  return client.charge.findMany({
    where: {
      deletedAt: null,
      OR: [{ subscriptionId: subscription.id }, ...(subscription.planId ? [{ planId: subscription.planId }] : [])],
    },
    include: { billableMetric: true },
    orderBy: [{ position: "asc" }, { createdAt: "asc" }, { id: "asc" }],
  });
}

/** A stored charge as the pricing module takes it; its properties were validated for its model when it was saved. */
export function toPricedCharge(charge: Charge): PricedCharge {
  return {
    model: charge.chargeModel,
    properties: charge.properties,
    includedQuantity: decimal(charge.includedQuantity.toString()),
    minAmountCents: charge.minAmountCents,
  } as unknown as PricedCharge;
}

/**
 * Aggregates and prices every usage charge of a subscription for one window, from its raw events and its pushed
 * rollups. Recurring metrics see the subscription's earlier events too, which open the period's level.
 */
export async function rateSubscriptionUsage(
  client: Db | Prisma.TransactionClient,
  subscription: { id: string; planId: string | null },
  window: RatingWindow,
  options: { minimumProration?: string } = {},
): Promise<RatedCharge[]> {
  const charges = await chargesOfSubscription(client, subscription);
  if (charges.length === 0) return [];
  const codes = [...new Set(charges.map((c) => c.billableMetric.code))];
  const metricIds = [...new Set(charges.map((c) => c.billableMetricId))];
  const anyRecurring = charges.some((c) => c.billableMetric.recurring);
  const [events, rollups] = await Promise.all([
    client.usageEvent.findMany({
      where: {
        subscriptionId: subscription.id,
        code: { in: codes },
        timestamp: { ...(anyRecurring ? {} : { gte: window.start }), lt: window.end },
      },
      select: { transactionId: true, timestamp: true, properties: true, code: true },
      orderBy: [{ timestamp: "asc" }, { createdAt: "asc" }],
    }),
    client.usageRollup.findMany({
      where: { subscriptionId: subscription.id, billableMetricId: { in: metricIds }, periodStart: { gte: window.start, lt: window.end } },
      select: { billableMetricId: true, periodStart: true, periodEnd: true, value: true },
    }),
  ]);

  return charges.map((charge) => {
    const metric = charge.billableMetric;
    const aggregate = aggregateUsage({
      metric: {
        aggregation: metric.aggregation,
        fieldName: metric.fieldName,
        recurring: metric.recurring,
        roundingFunction: metric.roundingFunction as "round" | "ceil" | "floor" | null,
        roundingPrecision: metric.roundingPrecision,
      },
      period: window,
      events: events
        .filter((e) => e.code === metric.code && (metric.recurring || e.timestamp >= window.start))
        .map((e) => ({ transactionId: e.transactionId, timestamp: e.timestamp, properties: e.properties as Record<string, unknown> })),
      rollups: rollups
        .filter((r) => r.billableMetricId === metric.id)
        .map((r) => ({ periodStart: r.periodStart, periodEnd: r.periodEnd, value: decimal(r.value.toString()) })),
    });
    const price = priceCharge(
      toPricedCharge(charge),
      { units: aggregate.units, eventsCount: aggregate.eventsCount, eventValues: aggregate.eventValues },
      options.minimumProration ? { minimumProration: decimal(options.minimumProration) } : {},
    );
    return { charge, aggregate, price };
  });
}
