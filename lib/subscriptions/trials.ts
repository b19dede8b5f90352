import type { Db } from "@/lib/db/prisma";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";

/**
 * Trials (a plan's `trial_period`, in days from the subscription's start): the subscription fee is free until the trial
 * ends, and billed from the trial's end day to the period's end (lib/invoicing/billing-step.ts); usage charges are
 * billed as usual during the trial, as Lago bills them.
 *
 * When a trial has ended, `trialEndedAt` is set and `subscription.trial_ended` recorded in one transaction, by one
 * conditional UPDATE: two runners racing on the same subscription re-check `trialEndedAt IS NULL` after the row lock,
 * so the webhook goes out exactly once. The period close calls this before billing.
 */
export async function recordEndedTrials(client: Db, upTo: Date, serviceId?: string): Promise<string[]> {
  return client.$transaction(async (tx) => {
    const ended = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "Subscription" s
         SET "trialEndedAt" = s."startedAt" + make_interval(secs => p."trialPeriodDays" * 86400), "updatedAt" = now()
        FROM "Plan" p
       WHERE p.id = s."planId" AND p."trialPeriodDays" > 0 AND s."trialEndedAt" IS NULL AND NOT s.shadow
         AND s.status = 'active' AND s."startedAt" IS NOT NULL
         AND s."startedAt" + make_interval(secs => p."trialPeriodDays" * 86400) <= ${upTo}
         AND (${serviceId ?? null}::uuid IS NULL OR s."serviceId" = ${serviceId ?? null}::uuid)
      RETURNING s.id`;
    await recordSubscriptionEvents(tx, ended.map((s) => ({ subscriptionId: s.id, type: "subscription.trial_ended" as const })));
    return ended.map((s) => s.id);
  });
}
