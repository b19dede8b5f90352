import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { DunningProcess, Invoice, Prisma } from "@/lib/generated/prisma/client";
import { sendDunningReminder, sendNewCardNeeded, sendSuspensionNotice } from "@/lib/mail/billing-emails";
import { isHardDecline } from "@/lib/payments/stripe-errors";
import { amountDueCents } from "@/lib/payments/chargeability";
import { chargeInvoice } from "@/lib/payments/charge-invoice";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";
import { defaultCampaign } from "./dunning-campaigns";
import { nextDunningAction } from "./dunning-schedule";

/** How long a claimed step is reserved for the instance working on it before another may take it over. */
const CLAIM_LEASE_MS = 15 * 60 * 1000;

/** Starts chasing an invoice after its first failed charge; false when it is already being chased. */
export async function startDunning(tx: Prisma.TransactionClient, invoice: Invoice, now: Date): Promise<boolean> {
  if (invoice.shadow) return false;
  const existing = await tx.dunningProcess.findUnique({ where: { invoiceId: invoice.id } });
  if (existing) return false;
  const campaign = await defaultCampaign(tx);
  const first = nextDunningAction(campaign, now, 0);
  await tx.dunningProcess.create({ data: { invoiceId: invoice.id, campaignId: campaign.id, startedAt: now, nextActionAt: first.at } });
  return true;
}

/**
 * Stops the campaign of an invoice that has just been paid. When it had suspended the customer's subscriptions with
 * the service, and nothing else of theirs is still suspended, the subscriptions are resumed and the app told.
 */
export async function endDunningOnPayment(tx: Prisma.TransactionClient, invoice: Invoice, now: Date): Promise<void> {
  const process = await tx.dunningProcess.findUnique({ where: { invoiceId: invoice.id } });
  if (!process || (process.status !== "active" && process.status !== "suspended")) return;
  await tx.dunningProcess.update({ where: { id: process.id }, data: { status: "recovered", endedAt: now, nextActionAt: null } });
  if (process.status !== "suspended") return;
  const stillSuspended = await tx.dunningProcess.count({
    where: { status: "suspended", invoice: { customerId: invoice.customerId, serviceId: invoice.serviceId }, NOT: { id: process.id } },
  });
  if (stillSuspended) return;
  // Only what dunning suspended: a suspension by staff (lib/subscriptions/suspension.ts) is lifted by staff.
  const suspended = await tx.subscription.findMany({
    where: { customerId: invoice.customerId, serviceId: invoice.serviceId, suspendedAt: { not: null }, OR: [{ suspendedBy: null }, { suspendedBy: "dunning" }] },
    select: { id: true },
  });
  await tx.subscription.updateMany({ where: { id: { in: suspended.map((s) => s.id) } }, data: { suspendedAt: null, suspendedBy: null, pastDueAt: null } });
  await recordSubscriptionEvents(tx, suspended.map((s) => ({ subscriptionId: s.id, type: "subscription.updated" as const })));
}

export interface DunningRunSummary {
  processed: number;
  retried: number;
  recovered: number;
  suspended: number;
  errors: { processId: string; error: string }[];
}

/**
 * Carries out every campaign step that is due: a charge retry (with a reminder when it fails again) or, once the
 * retries are used up, the suspension. Steps are claimed with SKIP LOCKED and a lease, so several app instances never
 * take the same step and a crashed instance's step is picked up again later.
 */
export async function runDueDunning(client: Db, now = new Date(), options: { serviceId?: string } = {}): Promise<DunningRunSummary> {
  const serviceId = options.serviceId ?? null;
  const summary: DunningRunSummary = { processed: 0, retried: 0, recovered: 0, suspended: 0, errors: [] };
  for (;;) {
    const claimed = await client.$queryRaw<DunningProcess[]>`
      UPDATE "DunningProcess" SET "nextActionAt" = ${new Date(now.getTime() + CLAIM_LEASE_MS)}, "updatedAt" = now()
      WHERE id IN (SELECT d.id FROM "DunningProcess" d
                    WHERE d.status = 'active' AND d."nextActionAt" <= ${now}
                      AND (${serviceId}::uuid IS NULL OR EXISTS (SELECT 1 FROM "Invoice" i WHERE i.id = d."invoiceId" AND i."serviceId" = ${serviceId}::uuid))
                    ORDER BY d."nextActionAt" LIMIT 50 FOR UPDATE OF d SKIP LOCKED)
      RETURNING *`;
    if (!claimed.length) return summary;
    for (const process of claimed) {
      summary.processed += 1;
      try {
        const outcome = await advance(client, process, now);
        if (outcome === "retried") summary.retried += 1;
        if (outcome === "recovered") summary.recovered += 1;
        if (outcome === "suspended") summary.suspended += 1;
      } catch (error) {
        summary.errors.push({ processId: process.id, error: (error as Error).message });
        await client.dunningProcess.update({ where: { id: process.id }, data: { lastError: (error as Error).message } });
      }
    }
  }
}

async function advance(client: Db, process: DunningProcess, now: Date): Promise<"retried" | "recovered" | "suspended" | "closed" | "waiting"> {
  const invoice = await client.invoice.findUniqueOrThrow({ where: { id: process.invoiceId } });
  if (invoice.status !== "finalized" || amountDueCents(invoice) <= BigInt(0)) {
    const status = invoice.status === "voided" ? "canceled" : "recovered";
    await client.dunningProcess.update({ where: { id: process.id }, data: { status, endedAt: now, nextActionAt: null } });
    return "closed";
  }
  const campaign = await client.dunningCampaign.findUniqueOrThrow({ where: { id: process.campaignId } });
  const action = nextDunningAction(campaign, process.startedAt, process.step);

  if (action.kind === "suspend") {
    await suspendForUnpaidInvoice(client, process, invoice, now);
    await sendSuspensionNotice(client, invoice.id, now);
    return "suspended";
  }

  // A card its bank declined for good (lost, stolen, "do not try again") is never retried: the step passes with a
  // request for a new card instead. Changing the default card makes the next step charge again.
  const last = await client.payment.findFirst({ where: { invoiceId: invoice.id }, orderBy: { attempt: "desc" } });
  const defaultCard = await client.paymentMethod.findFirst({ where: { customerId: invoice.customerId, isDefault: true } });
  const cardRefused = last?.status === "failed" && isHardDecline(last.failureCode, last.adviceCode) && (!defaultCard || defaultCard.providerPaymentMethodId === last.providerPaymentMethodId);

  let failure: string;
  let newCardNeeded = cardRefused;
  if (cardRefused) {
    failure = `Not retried: the bank declined this card for good (${last!.failureCode})`;
  } else {
    try {
      const result = await chargeInvoice(client, invoice.id, { trigger: "dunning", now });
      if (result.status === "succeeded") return "recovered";
      if (result.status === "processing") {
        await client.dunningProcess.update({ where: { id: process.id }, data: { nextActionAt: new Date(now.getTime() + 60 * 60 * 1000) } });
        return "waiting";
      }
      if (result.status === "action_required" || result.status === "canceled" || result.status === "requires_action") {
        // Not a decline: the customer must authenticate (they were e-mailed a pay link), or staff must fix something.
        // The campaign waits — no retries, no suspension — until the invoice is paid.
        await client.dunningProcess.update({ where: { id: process.id }, data: { nextActionAt: null, lastError: `${result.status}: ${result.payment.failureMessage ?? "waiting"}` } });
        return "waiting";
      }
      failure = result.payment.failureMessage ?? "The charge failed";
      newCardNeeded = isHardDecline(result.payment.failureCode, result.payment.adviceCode);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === "payment_in_progress") {
        await client.dunningProcess.update({ where: { id: process.id }, data: { nextActionAt: new Date(now.getTime() + 60 * 60 * 1000) } });
        return "waiting";
      }
      if (error.code !== "no_payment_method") {
        // Nothing a retry can fix (shadow billing, already paid, an amount no card can carry): the campaign ends here.
        await client.dunningProcess.update({ where: { id: process.id }, data: { status: "canceled", endedAt: now, nextActionAt: null, lastError: error.message } });
        return "closed";
      }
      failure = error.message;
    }
  }
  const step = process.step + 1;
  const next = nextDunningAction(campaign, process.startedAt, step);
  await client.dunningProcess.update({
    where: { id: process.id },
    data: { step, lastError: failure, nextActionAt: next.at > now ? next.at : now },
  });
  if (newCardNeeded) await sendNewCardNeeded(client, invoice.id, now);
  else await sendDunningReminder(client, invoice.id, now);
  return "retried";
}

async function suspendForUnpaidInvoice(client: Db, process: DunningProcess, invoice: Invoice, now: Date) {
  await client.$transaction(async (tx) => {
    const current = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM "DunningProcess" WHERE id = ${process.id}::uuid FOR UPDATE`;
    if (current[0]?.status !== "active") return;
    const subscriptions = await tx.subscription.findMany({
      where: { customerId: invoice.customerId, serviceId: invoice.serviceId, status: "active", shadow: false, suspendedAt: null },
      select: { id: true, pastDueAt: true },
    });
    for (const subscription of subscriptions) {
      await tx.subscription.update({ where: { id: subscription.id }, data: { suspendedAt: now, suspendedBy: "dunning", pastDueAt: subscription.pastDueAt ?? now } });
    }
    await recordSubscriptionEvents(tx, subscriptions.map((s) => ({ subscriptionId: s.id, type: "subscription.suspended" as const })));
    await tx.dunningProcess.update({ where: { id: process.id }, data: { status: "suspended", endedAt: now, nextActionAt: null } });
    await tx.auditLog.create({ data: { actorType: "system", action: "dunning.suspended", entityType: "Invoice", entityId: invoice.id, data: { subscriptions: subscriptions.map((s) => s.id) } } });
  });
}
