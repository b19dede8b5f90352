import type { Db } from "@/lib/db/prisma";
import { localDate } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { DomainError, isUniqueViolation } from "@/lib/errors";
import { Prisma, type Customer, type Invoice, type Plan, type Subscription } from "@/lib/generated/prisma/client";
import { rateSubscriptionUsage } from "@/lib/rating/rate-subscription-usage";
import { scheduleOf } from "@/lib/subscriptions/billing-schedule";
import { activateDueSubscriptions } from "@/lib/subscriptions/subscriptions";
import { billingStep, type BillingStep } from "./billing-step";
import { companyProfile } from "./company-profile";
import { issueCreditNote } from "./credit-notes";
import { finalizeInvoice } from "./finalize-invoice";
import { invoiceTaxes } from "./invoice-taxes";
import { feeLine, usageLines, type InvoiceLineDraft } from "./invoice-lines";

/**
 * The period close. Every subscription whose `nextBillingAt` has come is billed for that boundary; subscriptions of
 * one customer and one service that share a boundary go on one invoice. Each invoice is written in its own
 * transaction together with the subscriptions' next boundary, so a crash never leaves half an invoice, a re-run bills
 * nothing twice, and two runners in parallel (rows taken with FOR UPDATE SKIP LOCKED) never bill the same boundary.
 */
export interface BillingGroup {
  customerId: string;
  serviceId: string;
  boundary: Date;
  shadow: boolean;
}

export interface BillingRunSummary {
  subscriptionsBilled: number;
  invoicesCreated: number;
  creditNotesIssued: number;
  failures: { customerId: string; serviceId: string; boundary: string; code: string; error: string }[];
}

export interface BillingRunOptions {
  /** Groups billed at once (each in its own transaction and connection). */
  concurrency?: number;
  onProgress?: (summary: BillingRunSummary, due: number) => void | Promise<void>;
}

type SubscriptionToBill = Subscription & { plan: Plan | null; customer: Customer };

export function billingKey(group: BillingGroup): string {
  return `${group.customerId}:${group.serviceId}:${group.boundary.toISOString()}${group.shadow ? ":shadow" : ""}`;
}

async function dueGroups(client: Db, upTo: Date, exclude: Set<string>, limit: number): Promise<{ groups: BillingGroup[]; due: number }> {
  const rows = await client.$queryRaw<{ customerId: string; serviceId: string; boundary: Date; shadow: boolean; n: bigint }[]>`
    SELECT "customerId", "serviceId", "nextBillingAt" AS boundary, shadow, count(*) AS n
      FROM "Subscription"
     WHERE "nextBillingAt" <= ${upTo} AND status IN ('active', 'terminated')
     GROUP BY 1, 2, 3, 4
     ORDER BY 3, 1, 2
     LIMIT ${limit + exclude.size}`;
  const groups = rows.map((r) => ({ customerId: r.customerId, serviceId: r.serviceId, boundary: r.boundary, shadow: r.shadow })).filter((g) => !exclude.has(billingKey(g)));
  return { groups: groups.slice(0, limit), due: rows.reduce((sum, r) => sum + Number(r.n), 0) };
}

function stepOf(sub: SubscriptionToBill & { plan: Plan }, boundary: Date): BillingStep {
  return billingStep(
    {
      payInAdvance: sub.plan.payInAdvance,
      amountCents: sub.plan.amountCents,
      schedule: scheduleOf(sub, sub.plan, sub.customer.timezone),
      startedAt: sub.startedAt ?? sub.subscriptionAt,
      terminatedAt: sub.status === "terminated" ? sub.terminatedAt : null,
      upgraded: sub.status === "terminated" && sub.nextPlanId !== null,
      endingAt: sub.endingAt,
    },
    boundary,
  );
}

/** Bills one group in one transaction. Returns the invoice created (null when nothing was owed) and what was billed. */
export async function billGroup(client: Db, group: BillingGroup, now = new Date()) {
  return client.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Subscription"
         WHERE "customerId" = ${group.customerId}::uuid AND "serviceId" = ${group.serviceId}::uuid
           AND "nextBillingAt" = ${group.boundary} AND shadow = ${group.shadow} AND status IN ('active', 'terminated')
         ORDER BY id
         FOR UPDATE SKIP LOCKED`;
      if (locked.length === 0) return { invoice: null as Invoice | null, billed: 0, creditNotes: 0 };
      const subs = await tx.subscription.findMany({ where: { id: { in: locked.map((l) => l.id) } }, include: { plan: true, customer: true }, orderBy: { createdAt: "asc" } });
      const customer = subs[0].customer;
      const profile = await companyProfile(tx);
      const lines: InvoiceLineDraft[] = [];
      const credits: { sub: SubscriptionToBill; step: BillingStep }[] = [];
      let periodStart = group.boundary;
      let periodEnd = group.boundary;
      const sources: Prisma.InputJsonValue[] = [];

      for (const sub of subs) {
        if (!sub.plan) {
          await tx.subscription.update({ where: { id: sub.id }, data: { nextBillingAt: null } });
          continue;
        }
        const step = stepOf(sub as SubscriptionToBill & { plan: Plan }, group.boundary);
        const timingLines: InvoiceLineDraft[] = [];
        if (step.arrearsFee) timingLines.push(feeLine(sub.id, sub.plan.invoiceDisplayName ?? sub.plan.name, step.arrearsFee, "in_arrears"));
        if (step.usageWindow) {
          const fraction = step.arrearsFee?.prorated || step.usageWindow.start > step.usageWindow.period.start || step.usageWindow.end < step.usageWindow.period.end
            ? decimal(step.usageWindow.end.getTime() - step.usageWindow.start.getTime()).div(step.usageWindow.period.end.getTime() - step.usageWindow.period.start.getTime()).toString()
            : undefined;
          const rated = await rateSubscriptionUsage(tx, sub, step.usageWindow, { minimumProration: fraction });
          timingLines.push(...usageLines(sub.id, rated, step.usageWindow));
          if (step.usageWindow.period.start < periodStart) periodStart = step.usageWindow.period.start;
          if (step.usageWindow.period.end > periodEnd) periodEnd = step.usageWindow.period.end;
        }
        if (step.advanceFee) timingLines.push(feeLine(sub.id, sub.plan.invoiceDisplayName ?? sub.plan.name, step.advanceFee, "in_advance"));
        if (!step.usageWindow && step.advanceFee) {
          if (step.advanceFee.period.start < periodStart) periodStart = step.advanceFee.period.start;
          if (step.advanceFee.period.end > periodEnd) periodEnd = step.advanceFee.period.end;
        }
        lines.push(...timingLines);
        if (step.unusedAdvanceCredit) credits.push({ sub, step });
        sources.push({ subscriptionId: sub.id, boundary: group.boundary.toISOString(), usageWindow: step.usageWindow ? { start: step.usageWindow.start.toISOString(), end: step.usageWindow.end.toISOString() } : null });

        const reachedEnd = step.next === null && sub.status === "active";
        await tx.subscription.update({
          where: { id: sub.id },
          data: { nextBillingAt: step.next, ...(reachedEnd ? { status: "terminated", terminatedAt: sub.endingAt ?? group.boundary } : {}) },
        });
      }

      let creditNotes = 0;
      for (const { sub, step } of credits) {
        if (sub.onTerminationCreditNote === "skip" || sub.shadow) continue;
        const credit = step.unusedAdvanceCredit!;
        const billedLine = await tx.invoiceLine.findFirst({
          where: { subscriptionId: sub.id, kind: "subscription_fee", periodStart: credit.period.start, invoice: { status: { in: ["finalized", "paid"] } } },
          orderBy: { invoice: { createdAt: "desc" } },
        });
        if (!billedLine) continue;
        await issueCreditNote(tx, {
          invoiceId: billedLine.invoiceId,
          reason: "order_cancellation",
          description: `Unused days ${credit.proration.fromDate} to ${credit.proration.toDate} of ${sub.plan?.name ?? "the plan"}`,
          kind: sub.onTerminationCreditNote === "refund" ? "refund" : "credit",
          items: [{ invoiceLineId: billedLine.id, amountCents: credit.proration.amountCents }],
        }, now);
        creditNotes += 1;
      }

      if (lines.length === 0) return { invoice: null, billed: subs.length, creditNotes };
      const subtotal = lines.reduce((sum, l) => sum + l.amountCents, BigInt(0));
      const issuingDate = localDate(group.boundary, customer.timezone);
      const taxes = invoiceTaxes(customer, profile, subtotal, issuingDate);
      const currency = subs.find((s) => s.plan)?.plan?.currency ?? customer.currency;
      const created = await tx.invoice.create({
        data: {
          customerId: group.customerId,
          serviceId: group.serviceId,
          shadow: group.shadow,
          billingKey: billingKey(group),
          periodStart,
          periodEnd,
          issuingDate: new Date(`${issuingDate}T00:00:00Z`),
          currency,
          subtotalCents: subtotal,
          taxesCents: taxes.totalCents,
          totalCents: subtotal + taxes.totalCents,
          taxNote: taxes.note,
          sources,
          lines: { create: lines.map((line, position) => ({ ...line, quantity: new Prisma.Decimal(line.quantity), includedQuantity: new Prisma.Decimal(line.includedQuantity), unitAmount: line.unitAmount === null ? null : new Prisma.Decimal(line.unitAmount), position })) },
          taxes: { create: taxes.lines.map((t) => ({ code: t.code, name: t.name, rate: new Prisma.Decimal(t.ratePercent), taxableAmountCents: t.taxableAmountCents, amountCents: t.amountCents, registrationNumber: t.registrationNumber })) },
        },
      });
      const finalizeNow = !group.shadow && profile.invoiceGracePeriodDays === 0;
      const invoice = finalizeNow ? await finalizeInvoice(tx, created.id, now) : created;
      return { invoice, billed: subs.length, creditNotes };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

/** Bills every boundary due up to `upTo`, including boundaries missed while no run happened. */
export async function runBillingCycle(client: Db, upTo = new Date(), options: BillingRunOptions = {}): Promise<BillingRunSummary> {
  await activateDueSubscriptions(client, upTo);
  const summary: BillingRunSummary = { subscriptionsBilled: 0, invoicesCreated: 0, creditNotesIssued: 0, failures: [] };
  const failed = new Set<string>();
  const concurrency = options.concurrency ?? 4;
  for (;;) {
    const { groups, due } = await dueGroups(client, upTo, failed, 200);
    if (groups.length === 0) break;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
        for (let i = next++; i < groups.length; i = next++) {
          const group = groups[i];
          try {
            const result = await billGroup(client, group, upTo > new Date() ? upTo : new Date());
            summary.subscriptionsBilled += result.billed;
            summary.creditNotesIssued += result.creditNotes;
            if (result.invoice) summary.invoicesCreated += 1;
          } catch (error) {
            // One group that cannot be billed (e.g. a customer with no province) never stops the others; it stays due.
            if (isUniqueViolation(error)) continue;
            failed.add(billingKey(group));
            summary.failures.push({
              customerId: group.customerId,
              serviceId: group.serviceId,
              boundary: group.boundary.toISOString(),
              code: error instanceof DomainError ? error.code : "internal_error",
              error: (error as Error).message,
            });
          }
        }
      }),
    );
    await options.onProgress?.(summary, due);
  }
  return summary;
}
