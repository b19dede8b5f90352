import { decimal } from "@/lib/billing/decimal";
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { rateSubscriptionUsage, type RatedCharge } from "@/lib/rating/rate-subscription-usage";

/** Usage rated on an invoice: [start, end) inside its billing period. Stored as InvoiceUsageWindow for a draft. */
export interface UsageWindow {
  start: Date;
  end: Date;
  period: { start: Date; end: Date };
}

/**
 * A window shorter than its period (a start or an end inside it) prorates spending minimums by the share of the period
 * it covers; a full period returns undefined (no proration). The period close, a draft's refresh and current usage all
 * take the proration from here.
 */
export function minimumProrationOf(window: UsageWindow): string | undefined {
  if (window.start <= window.period.start && window.end >= window.period.end) return undefined;
  return decimal(window.end.getTime() - window.start.getTime()).div(window.period.end.getTime() - window.period.start.getTime()).toString();
}

/** Rates one subscription's usage over a window exactly as the period close does (loads its usage). */
export function rateUsageWindow(client: Db | Prisma.TransactionClient, subscription: { id: string; planId: string | null; shadow?: boolean }, window: UsageWindow): Promise<RatedCharge[]> {
  return rateSubscriptionUsage(client, subscription, window, { minimumProration: minimumProrationOf(window) });
}

export function storedUsageWindow(row: { start: Date; end: Date; periodStart: Date; periodEnd: Date }): UsageWindow {
  return { start: row.start, end: row.end, period: { start: row.periodStart, end: row.periodEnd } };
}
