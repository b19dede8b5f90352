/**
 * Suspending and resuming a subscription by staff, with a reason (the owner of that state change).
 *
 * What a suspension means (README "Suspended subscriptions"):
 * - the app is told at once (`subscription.suspended`, then `subscription.updated` on resume, as dunning does) and is
 *   expected to stop the service;
 * - base fee: the suspended days are not billed. A day counts as suspended from the suspension day up to the day before
 *   the resume day, in the customer's timezone (suspended and resumed the same day: nothing is credited); the period
 *   close credits them at the plan's day price on the invoice of the period they fall in (a `proration_credit` line),
 *   in arrears and in advance alike (an in-advance fee already billed is credited on the next invoice);
 * - usage: while suspended, usage sent for the subscription is refused (422 `subscription_suspended`), so none is
 *   billed;
 * - a suspension for an unpaid invoice (dunning, `suspendedBy = "dunning"`) is another thing: it is lifted by payment,
 *   not by staff, and its days are billed as usual (the customer still owes the contract).
 */
import { epochMsSql, instantFromEpochMs, uuidArray } from "@/lib/db/sql";
import type { TextRowReader } from "@/lib/db/transaction-connection";
import { addDays, compareDates, localDate, type CalendarDate } from "@/lib/billing/calendar-date";
import type { BillingPeriod } from "@/lib/billing/billing-periods";
import { centsToDecimal, roundToCents } from "@/lib/billing/money";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { InvoiceLineDraft } from "@/lib/invoicing/invoice-lines";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";

export interface SuspensionActor {
  staffId: string;
}

function checkReason(reason: string | null | undefined, field: string): string {
  const text = reason?.trim() ?? "";
  if (text.length < 5) throw new DomainError("invalid", "validation_errors", { [field]: ["too_short"] }, "Give the reason in a few words (5 characters or more).");
  if (text.length > 500) throw new DomainError("invalid", "validation_errors", { [field]: ["value_is_too_long"] }, "Keep the reason under 500 characters.");
  return text;
}

async function lockSubscription(tx: Prisma.TransactionClient, subscriptionId: string) {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Subscription" WHERE id = ${subscriptionId}::uuid FOR UPDATE`;
  if (rows.length === 0) throw new DomainError("not_found", "subscription_not_found", undefined, "The subscription does not exist.");
  return tx.subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
}

export async function suspendSubscription(client: Db, input: { subscriptionId: string; reason: string; actor: SuspensionActor; now?: Date }) {
  const reason = checkReason(input.reason, "reason");
  const now = input.now ?? new Date();
  return client.$transaction(async (tx) => {
    const sub = await lockSubscription(tx, input.subscriptionId);
    if (sub.shadow) throw new DomainError("not_allowed", "subscription_shadow", undefined, "A shadow subscription follows the old billing system; suspend it there.");
    if (sub.status !== "active") throw new DomainError("not_allowed", "subscription_not_active", undefined, `Only an active subscription can be suspended (this one is ${sub.status}).`);
    if (sub.suspendedAt) {
      throw new DomainError("not_allowed", "already_suspended", undefined, sub.suspendedBy === "staff" ? "The subscription is already suspended." : "The subscription is already suspended for an unpaid invoice.");
    }
    await tx.subscription.update({ where: { id: sub.id }, data: { suspendedAt: now, suspendedBy: "staff" } });
    const suspension = await tx.subscriptionSuspension.create({ data: { subscriptionId: sub.id, suspendedAt: now, reason, suspendedById: input.actor.staffId } });
    await recordSubscriptionEvents(tx, [{ subscriptionId: sub.id, type: "subscription.suspended" }]);
    await tx.auditLog.create({ data: { actorType: "staff", actorId: input.actor.staffId, action: "subscription.suspended", entityType: "Subscription", entityId: sub.id, data: { reason, suspensionId: suspension.id } } });
    return suspension;
  });
}

export async function resumeSubscription(client: Db, input: { subscriptionId: string; reason: string; actor: SuspensionActor; now?: Date }) {
  const reason = checkReason(input.reason, "reason");
  const now = input.now ?? new Date();
  return client.$transaction(async (tx) => {
    const sub = await lockSubscription(tx, input.subscriptionId);
    if (!sub.suspendedAt) throw new DomainError("not_allowed", "not_suspended", undefined, "The subscription is not suspended.");
    if (sub.suspendedBy !== "staff") {
      throw new DomainError("not_allowed", "suspended_for_unpaid_invoice", undefined, "Suspended for an unpaid invoice: it resumes when the invoice is paid.");
    }
    const open = await tx.subscriptionSuspension.findFirst({ where: { subscriptionId: sub.id, resumedAt: null }, orderBy: { suspendedAt: "desc" } });
    const resumedAt = open && now < open.suspendedAt ? open.suspendedAt : now;
    await tx.subscription.update({ where: { id: sub.id }, data: { suspendedAt: null, suspendedBy: null } });
    if (open) await tx.subscriptionSuspension.update({ where: { id: open.id }, data: { resumedAt, resumeReason: reason, resumedById: input.actor.staffId } });
    await recordSubscriptionEvents(tx, [{ subscriptionId: sub.id, type: "subscription.updated" }]);
    await tx.auditLog.create({ data: { actorType: "staff", actorId: input.actor.staffId, action: "subscription.resumed", entityType: "Subscription", entityId: sub.id, data: { reason, suspensionId: open?.id ?? null } } });
  });
}

export interface SuspensionSpan {
  suspendedAt: Date;
  resumedAt: Date | null;
}

/**
 * The days of `period` (inclusive range `from`..`to`, the days the subscription was billed for) that suspensions cover:
 * from each suspension day to the day before its resume day, in `timezone`.
 */
export function suspendedDays(spans: SuspensionSpan[], period: BillingPeriod, from: CalendarDate, to: CalendarDate, timezone: string): CalendarDate[] {
  const days = new Set<CalendarDate>();
  for (const span of spans) {
    let day = localDate(span.suspendedAt, timezone);
    const stop = span.resumedAt ? addDays(localDate(span.resumedAt, timezone), -1) : period.lastDay;
    if (compareDates(day, from) < 0) day = from;
    for (; compareDates(day, stop) <= 0 && compareDates(day, to) <= 0; day = addDays(day, 1)) days.add(day);
  }
  return [...days].sort();
}

/**
 * The credit line for the suspended days of the period the boundary closes (null when there are none): the plan's fee
 * × suspended days ÷ days in the period, rounded half up to the cent once, never more than the fee billed for it.
 */
export function suspensionCreditLine(
  input: { subscriptionId: string; planName: string; amountCents: bigint; period: BillingPeriod; billedFrom: CalendarDate; billedTo: CalendarDate; billedCents: bigint; timezone: string },
  spans: SuspensionSpan[],
): InvoiceLineDraft | null {
  if (spans.length === 0 || compareDates(input.billedFrom, input.billedTo) > 0) return null;
  const days = suspendedDays(spans, input.period, input.billedFrom, input.billedTo, input.timezone);
  if (days.length === 0) return null;
  const exact = centsToDecimal(input.amountCents).mul(days.length).div(input.period.days);
  let cents = roundToCents(exact);
  if (cents > input.billedCents) cents = input.billedCents;
  if (cents <= BigInt(0)) return null;
  return {
    subscriptionId: input.subscriptionId,
    chargeId: null,
    kind: "proration_credit",
    description: `${input.planName} — suspended ${days.length} of ${input.period.days} days (${days[0]} to ${days[days.length - 1]})`,
    quantity: "1",
    includedQuantity: "0",
    unitAmount: null,
    amountCents: -cents,
    details: { reason: "suspension", days: days.length, periodDays: input.period.days, fromDate: days[0], toDate: days[days.length - 1], exactAmount: exact.toString() },
    periodStart: input.period.start,
    periodEnd: input.period.end,
  };
}

/** Staff suspensions overlapping [from, to) of the given subscriptions, by subscription (for the period close). */
export async function loadSuspensions(rows: TextRowReader, subscriptionIds: string[], from: Date, to: Date): Promise<Map<string, SuspensionSpan[]>> {
  const map = new Map<string, SuspensionSpan[]>();
  if (subscriptionIds.length === 0) return map;
  // One array parameter, not one bind parameter per id: the period close asks for a thousand subscriptions at a time.
  const found = await rows(Prisma.sql`
    SELECT "subscriptionId"::text AS s, (${epochMsSql('"suspendedAt"')})::text AS suspended, (${epochMsSql('"resumedAt"')})::text AS resumed FROM "SubscriptionSuspension"
     WHERE "subscriptionId" = ANY(${uuidArray(subscriptionIds)}) AND "suspendedAt" < ${to} AND ("resumedAt" IS NULL OR "resumedAt" > ${from})
     ORDER BY "suspendedAt", id`);
  for (const [subscriptionId, suspendedAt, resumedAt] of found) {
    (map.get(subscriptionId!) ?? map.set(subscriptionId!, []).get(subscriptionId!)!).push({ suspendedAt: instantFromEpochMs(suspendedAt!), resumedAt: resumedAt === null ? null : instantFromEpochMs(resumedAt) });
  }
  return map;
}

/**
 * The period close's one call: the suspension credit for the in-arrears fee of the period a billing step closes, or
 * null. An in-advance fee was invoiced, and often paid, before the suspension: it is not credited by the close (a
 * credit line there could exceed what the closing invoice bills, or what was billed at another price); staff credit
 * those days with a credit note on the invoice that billed them when the contract calls for it.
 */
export function suspensionCreditForStep(
  sub: { id: string; plan: { name: string; invoiceDisplayName: string | null; amountCents: bigint; payInAdvance: boolean }; customer: { timezone: string } },
  step: { arrearsFee: { period: BillingPeriod; proration: { fromDate: CalendarDate; toDate: CalendarDate; amountCents: bigint } } | null },
  spans: SuspensionSpan[],
): InvoiceLineDraft | null {
  if (spans.length === 0 || sub.plan.payInAdvance || !step.arrearsFee) return null;
  const fee = step.arrearsFee;
  return suspensionCreditLine({
    subscriptionId: sub.id, planName: sub.plan.invoiceDisplayName ?? sub.plan.name, amountCents: sub.plan.amountCents, period: fee.period,
    billedFrom: fee.proration.fromDate, billedTo: fee.proration.toDate, billedCents: fee.proration.amountCents, timezone: sub.customer.timezone,
  }, spans);
}
