import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/prisma";
import { evaluateSubscriptionUsage } from "@/lib/usage-monitoring/evaluate-usage";
import { setUsageMarkSink } from "@/lib/usage-monitoring/usage-marks";

/**
 * Usage thresholds (progressive billing) and usage alerts are evaluated by a pg-boss queue, never on the usage write
 * path. Usage writes mark their subscriptions (lib/usage-monitoring/usage-marks.ts); the marks become one job per
 * subscription with something to watch. The queue is "stately" with the subscription id as singleton key: at most one
 * job per subscription waits and one runs, however many pushes arrive, across every app instance. A sweep every few
 * minutes queues every watched subscription, for marks lost with a crashed process. Evaluation itself is idempotent
 * (evaluate-usage.ts), so a retried or duplicated job never bills or alerts twice.
 */
export const USAGE_MONITOR_QUEUE = "usage-monitor";
export const USAGE_MONITOR_SWEEP_QUEUE = "usage-monitor-sweep";
export const USAGE_MONITOR_SWEEP_CRON = process.env.NEXA_USAGE_MONITOR_CRON ?? "*/5 * * * *";

interface UsageMonitorJob {
  subscriptionId: string;
}

/** The active live subscriptions among `ids` (all of them when null) whose plan has usage thresholds or that have alerts. */
export async function watchedSubscriptions(client: Db, ids: string[] | null): Promise<string[]> {
  const rows = await client.$queryRaw<{ id: string }[]>`
    SELECT s.id FROM "Subscription" s
     WHERE s.status = 'active' AND NOT s.shadow
       AND (${ids}::uuid[] IS NULL OR s.id = ANY(${ids}::uuid[]))
       AND (EXISTS (SELECT 1 FROM "UsageThreshold" t WHERE t."planId" = s."planId")
            OR EXISTS (SELECT 1 FROM "UsageAlert" a WHERE a."subscriptionId" = s.id))`;
  return rows.map((r) => r.id);
}

async function queueEvaluations(boss: PgBoss, subscriptionIds: string[]): Promise<void> {
  for (const subscriptionId of subscriptionIds) {
    await boss.send(USAGE_MONITOR_QUEUE, { subscriptionId } satisfies UsageMonitorJob, { singletonKey: subscriptionId, retryLimit: 5, retryDelay: 5, retryBackoff: true });
  }
}

export async function startUsageMonitorJobs(boss: PgBoss, client: Db): Promise<void> {
  await boss.createQueue(USAGE_MONITOR_QUEUE, { name: USAGE_MONITOR_QUEUE, policy: "stately" });
  await boss.work<UsageMonitorJob>(USAGE_MONITOR_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    await evaluateSubscriptionUsage(client, job.data.subscriptionId);
  });
  await boss.createQueue(USAGE_MONITOR_SWEEP_QUEUE);
  await boss.schedule(USAGE_MONITOR_SWEEP_QUEUE, USAGE_MONITOR_SWEEP_CRON, {}, { tz: "UTC" });
  await boss.work(USAGE_MONITOR_SWEEP_QUEUE, { batchSize: 1 }, async () => {
    await queueEvaluations(boss, await watchedSubscriptions(client, null));
  });
  setUsageMarkSink(async (ids) => queueEvaluations(boss, await watchedSubscriptions(client, ids)));
}
