import PgBoss from "pg-boss";
import type { Db } from "@/lib/db/prisma";
import { runBillingCycle, type BillingRunSummary } from "@/lib/invoicing/billing-run";
import { runCollections } from "@/lib/payments/collections";
import { closeSubscriptionNow } from "@/lib/invoicing/close-subscription";
import { refundCreditNoteToCard, sweepUnsentCardRefunds } from "@/lib/payments/credit-note-refunds";
import type { Prisma } from "@/lib/generated/prisma/client";
import { startDualRunJobs } from "./migration-jobs";
import { ADVANCE_CHARGES_QUEUE, billAdvanceCharges, billsInAdvance } from "@/lib/invoicing/advance-charges";
import { startUsageMonitorJobs } from "./usage-monitor-jobs";
import { INVOICE_NOTICES_QUEUE, startInvoiceNoticeJobs } from "@/lib/collections/invoice-notices";
import { startWalletJobs } from "@/lib/wallets/wallet-jobs";

/**
 * The period close runs as a pg-boss job in PostgreSQL: scheduled every 15 minutes and on demand from the console.
 * Jobs survive restarts, and with several app instances each job runs once; the billing run itself is safe to run
 * concurrently anyway (see lib/invoicing/billing-run.ts).
 */
export const PERIOD_CLOSE_QUEUE = "billing-period-close";
/** Every 15 minutes; NEXA_BILLING_CRON overrides it (the test suite moves it out of its way). */
export const PERIOD_CLOSE_CRON = process.env.NEXA_BILLING_CRON ?? "*/15 * * * *";

/** Charges newly finalised invoices and carries out due dunning steps: after each billing run and every 5 minutes. */
export const COLLECTIONS_QUEUE = "payment-collections";
export const COLLECTIONS_CRON = process.env.NEXA_COLLECTIONS_CRON ?? "*/5 * * * *";

/**
 * Pay-in-advance charges (lib/invoicing/advance-charges.ts): nudged by `POST /events` for the subscriptions it touched,
 * and every minute for all of them (NEXA_ADVANCE_CHARGES_CRON overrides), so a lost nudge delays a fee, never drops it.
 */
export const ADVANCE_CHARGES_CRON = process.env.NEXA_ADVANCE_CHARGES_CRON ?? "* * * * *";
export interface AdvanceChargesJob {
  subscriptionIds?: string[];
}

/** Bills the ended period of a subscription just terminated or upgraded (closeSubscriptionNow), within seconds. */
export const SUBSCRIPTION_CLOSE_QUEUE = "subscription-close";
export interface SubscriptionCloseJob {
  subscriptionId: string;
}

/**
 * Pays a refund credit note back to the card (refundCreditNoteToCard), outside the transaction that issued it. Every
 * 10 minutes a job without a note sweeps up notes whose refund was never sent (sweepUnsentCardRefunds): a process that
 * died between issuing a note and queueing its refund delays the refund, never loses it.
 */
export const CREDIT_NOTE_REFUND_QUEUE = "credit-note-refund";
export const CREDIT_NOTE_REFUND_SWEEP_CRON = process.env.NEXA_REFUND_SWEEP_CRON ?? "*/10 * * * *";
export interface CreditNoteRefundJob {
  creditNoteId?: string;
}

export interface PeriodCloseJob {
  billingRunId?: string;
  trigger?: "schedule" | "console";
  /** Bill only this service (the schedule bills every service). */
  serviceId?: string;
}

/**
 * Runs one billing run and records its progress and outcome on its BillingRun row: "succeeded", or
 * "completed_with_errors" when some groups could not be billed (they are quarantined; everyone else is billed), or
 * "failed" when the run itself broke off.
 */
export async function executeBillingRun(client: Db, job: PeriodCloseJob, now = new Date()): Promise<BillingRunSummary & { billingRunId: string }> {
  const run = job.billingRunId
    ? await client.billingRun.update({ where: { id: job.billingRunId }, data: { status: "running", startedAt: now } })
    : await client.billingRun.create({ data: { status: "running", trigger: job.trigger ?? "schedule", billingUpTo: now, startedAt: now } });
  try {
    const summary = await runBillingCycle(client, run.billingUpTo, {
      serviceId: job.serviceId,
      billingRunId: run.id,
      onProgress: async (progress, due) => {
        await client.billingRun.update({
          where: { id: run.id },
          data: { subscriptionsDue: due, subscriptionsBilled: progress.subscriptionsBilled, invoicesCreated: progress.invoicesCreated, failures: progress.failures.length },
        });
      },
    });
    await client.billingRun.update({
      where: { id: run.id },
      data: {
        status: summary.failures.length ? "completed_with_errors" : "succeeded",
        subscriptionsBilled: summary.subscriptionsBilled,
        invoicesCreated: summary.invoicesCreated,
        failures: summary.failures.length,
        errors: summary.failures as unknown as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
    return { ...summary, billingRunId: run.id };
  } catch (error) {
    await client.billingRun.update({
      where: { id: run.id },
      data: { status: "failed", errors: [{ error: (error as Error).message }], finishedAt: new Date() },
    });
    throw error;
  }
}

const globalForJobs = globalThis as unknown as { nexaBoss?: Promise<PgBoss> };

/**
 * Asks the advance-charges job to bill these subscriptions' new events now. Called by `POST /events` after it has
 * answered (never on the request's path): a cheap read decides whether any of them bills the events' metrics in
 * advance; the job's schedule catches anything a failed nudge missed.
 */
export function nudgeAdvanceCharges(client: Db, events: { subscriptionId: string | null; code: string }[]): void {
  const boss = globalForJobs.nexaBoss;
  if (!boss) return;
  const ids = [...new Set(events.map((e) => e.subscriptionId).filter((id): id is string => id !== null))];
  void (async () => {
    if (!(await billsInAdvance(client, ids, [...new Set(events.map((e) => e.code))]))) return;
    await (await boss).send(ADVANCE_CHARGES_QUEUE, { subscriptionIds: ids } satisfies AdvanceChargesJob);
  })().catch((error) => console.error("Pay-in-advance nudge:", (error as Error).message));
}

/** Starts pg-boss, the schedule and the worker once per process. */
export function startBillingJobs(connectionString: string, client: Db): Promise<PgBoss> {
  globalForJobs.nexaBoss ??= (async () => {
    const boss = new PgBoss({ connectionString, schema: "pgboss", max: 4 });
    boss.on("error", (error) => console.error("pg-boss:", error.message));
    await boss.start();
    await boss.createQueue(PERIOD_CLOSE_QUEUE);
    await boss.schedule(PERIOD_CLOSE_QUEUE, PERIOD_CLOSE_CRON, { trigger: "schedule" } satisfies PeriodCloseJob, { tz: "UTC" });
    await boss.createQueue(CREDIT_NOTE_REFUND_QUEUE);
    await boss.schedule(CREDIT_NOTE_REFUND_QUEUE, CREDIT_NOTE_REFUND_SWEEP_CRON, {} satisfies CreditNoteRefundJob, { tz: "UTC" });
    await boss.work<CreditNoteRefundJob>(CREDIT_NOTE_REFUND_QUEUE, { batchSize: 1 }, async ([job]) => {
      if (!job.data?.creditNoteId) {
        const swept = await sweepUnsentCardRefunds(client);
        if (swept.failed.length) console.error("Refund sweep:", JSON.stringify(swept.failed));
        return;
      }
      const outcome = await refundCreditNoteToCard(client, job.data.creditNoteId);
      // Failed: pg-boss retries; Stripe's idempotency keys (per note and payment) keep a retry from refunding twice.
      if (outcome.status === "failed") throw new Error(`Refund of credit note ${job.data.creditNoteId} failed: ${outcome.message}`);
    });
    await boss.createQueue(SUBSCRIPTION_CLOSE_QUEUE);
    await boss.work<SubscriptionCloseJob>(SUBSCRIPTION_CLOSE_QUEUE, { batchSize: 1 }, async ([job]) => {
      const summary = await closeSubscriptionNow(client, job.data.subscriptionId);
      await queueCreditNoteRefunds(boss, summary.refundCreditNoteIds);
      if (summary.invoicesCreated) await boss.send(COLLECTIONS_QUEUE, {}, { singletonKey: "collections", singletonSeconds: 5 });
    });
    await boss.work<PeriodCloseJob>(PERIOD_CLOSE_QUEUE, { batchSize: 1 }, async ([job]) => {
      const summary = await executeBillingRun(client, job.data ?? {});
      await queueCreditNoteRefunds(boss, summary.refundCreditNoteIds);
      await boss.send(COLLECTIONS_QUEUE, {}, { singletonKey: "collections", singletonSeconds: 5 });
      await boss.send(INVOICE_NOTICES_QUEUE, {}, { singletonKey: "invoice-notices", singletonSeconds: 5 });
    });
    await boss.createQueue(COLLECTIONS_QUEUE);
    await boss.schedule(COLLECTIONS_QUEUE, COLLECTIONS_CRON, {}, { tz: "UTC" });
    await boss.work(COLLECTIONS_QUEUE, { batchSize: 1 }, async () => {
      const summary = await runCollections(client);
      if (summary.errors.length || summary.dunning?.errors.length) console.error("Collections:", JSON.stringify({ errors: summary.errors, dunning: summary.dunning?.errors }));
    });
    await boss.createQueue(ADVANCE_CHARGES_QUEUE);
    await boss.schedule(ADVANCE_CHARGES_QUEUE, ADVANCE_CHARGES_CRON, {} satisfies AdvanceChargesJob, { tz: "UTC" });
    await boss.work<AdvanceChargesJob>(ADVANCE_CHARGES_QUEUE, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
      // A batch of nudges is billed in one pass; a scheduled job (no ids) bills every subscription.
      const everyone = jobs.some((job) => !job.data?.subscriptionIds);
      const ids = everyone ? null : [...new Set(jobs.flatMap((job) => job.data!.subscriptionIds!))];
      const summary = await billAdvanceCharges(client, ids);
      if (summary.failures.length) console.error("Pay-in-advance charges:", JSON.stringify(summary.failures));
      if (summary.invoicesIssued) await boss.send(COLLECTIONS_QUEUE, {}, { singletonKey: "collections", singletonSeconds: 5 });
    });
    await startDualRunJobs(boss, client);
    await startInvoiceNoticeJobs(boss, client);
    await startUsageMonitorJobs(boss, client);
    await startWalletJobs(boss, client);
    return boss;
  })().catch((error) => {
    globalForJobs.nexaBoss = undefined; // let the next call try again
    throw error;
  });
  return globalForJobs.nexaBoss;
}

/** Queues a billing run now (console "Run billing now"); the BillingRun row shows its progress. */
export async function requestBillingRun(client: Db, connectionString: string, requestedById: string | null): Promise<string> {
  const run = await client.billingRun.create({ data: { status: "queued", trigger: "console", requestedById, billingUpTo: new Date() } });
  const boss = await startBillingJobs(connectionString, client);
  await boss.send(PERIOD_CLOSE_QUEUE, { billingRunId: run.id, trigger: "console" } satisfies PeriodCloseJob);
  return run.id;
}

/** One refund job per credit note; running one twice refunds nothing twice (see refundCreditNoteToCard). */
export async function queueCreditNoteRefunds(boss: PgBoss, creditNoteIds: string[]) {
  for (const creditNoteId of creditNoteIds) {
    await boss.send(CREDIT_NOTE_REFUND_QUEUE, { creditNoteId } satisfies CreditNoteRefundJob, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
  }
}

/**
 * Queues the close of a subscription that was just terminated or upgraded. Called after the change has committed; when
 * the queue cannot be reached (jobs off, database hiccup) the scheduled close bills it instead, so this never fails the
 * caller's request.
 */
export async function requestSubscriptionClose(client: Db, subscriptionId: string): Promise<boolean> {
  const url = process.env.DATABASE_URL;
  if (!url || process.env.NEXA_JOBS === "off") return false;
  try {
    const boss = await startBillingJobs(url, client);
    await boss.send(SUBSCRIPTION_CLOSE_QUEUE, { subscriptionId } satisfies SubscriptionCloseJob, { retryLimit: 3, retryDelay: 2 });
    return true;
  } catch (error) {
    console.error("Queueing the close of subscription", subscriptionId, "failed:", (error as Error).message);
    return false;
  }
}
