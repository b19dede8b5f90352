import type { Db } from "@/lib/db/prisma";
import type { BillableMetric, Prisma } from "@/lib/generated/prisma/client";

export interface UsageSubscription {
  id: string;
  externalId: string;
  status: string;
  billingTime: "calendar" | "anniversary";
  billingAnchorDate: Date;
  plan: { interval: "weekly" | "monthly" | "quarterly" | "semiannual" | "yearly" } | null;
  customer: { timezone: string };
}

/**
 * The subscription usage for an external id lands on: the active one, else the most recent that ran (so late usage
 * after a termination or an upgrade is still attributed). Pending and cancelled subscriptions never take usage.
 */
export async function resolveUsageSubscriptions(
  client: Db | Prisma.TransactionClient,
  serviceId: string,
  externalIds: string[],
): Promise<Map<string, UsageSubscription>> {
  const rows = await client.subscription.findMany({
    where: { serviceId, externalId: { in: [...new Set(externalIds)] }, status: { in: ["active", "terminated"] } },
    select: {
      id: true, externalId: true, status: true, createdAt: true, billingTime: true, billingAnchorDate: true,
      plan: { select: { interval: true } }, customer: { select: { timezone: true } },
    },
    orderBy: { createdAt: "desc" },
  });
  const map = new Map<string, UsageSubscription>();
  for (const row of rows) {
    const existing = map.get(row.externalId);
    if (!existing || (existing.status !== "active" && row.status === "active")) map.set(row.externalId, row);
  }
  return map;
}

export async function resolveMetrics(client: Db | Prisma.TransactionClient, codes: string[]): Promise<Map<string, BillableMetric>> {
  const metrics = await client.billableMetric.findMany({ where: { code: { in: [...new Set(codes)] }, deletedAt: null } });
  return new Map(metrics.map((m) => [m.code, m]));
}
