import { periodContaining as computePeriod, type BillingPeriod, type BillingSchedule } from "@/lib/billing/billing-periods";
import { compareDates, localDate, startOfLocalDay } from "@/lib/billing/calendar-date";
import { firstPeriodFee, proratedFee, terminationProration, upgradeProration, type Proration } from "@/lib/billing/proration";

/**
 * What a subscription owes at one billing boundary, decided from its plan timing and lifecycle (pure; no database).
 *
 * A subscription carries `nextBillingAt`, the next boundary with something to invoice:
 * - a period end (usage of the period, and the fee of an in-arrears plan; the next period's fee of an in-advance plan);
 * - its start, for an in-advance plan (the first fee is billed when it starts);
 * - its termination (or upgrade) instant: usage up to then, the days used of an in-arrears fee, and a credit for the
 *   unused days of an in-advance fee.
 * - with `bill_charges_monthly`, each month end inside the fee's period (usage of that month only);
 * - the end of a trial, for an in-advance plan whose trial ends inside a period (the fee from the trial's last day on).
 * Days are whole calendar days in the customer's timezone; see lib/billing/proration.ts for the conventions. A trial
 * makes the fee free up to the day its trial ends (that day is billed, as Lago bills from the trial end date).
 */
export interface BillableSubscription {
  payInAdvance: boolean;
  amountCents: bigint;
  schedule: BillingSchedule;
  startedAt: Date;
  /**
   * When the subscription was first taken out (an upgrade keeps the original one). Usage counts from the beginning of
   * its start day, like Lago's first period.
   */
  subscriptionAt?: Date;
  /** Set when the subscription ended; `upgraded` when it ended because of an upgrade. */
  terminatedAt: Date | null;
  upgraded: boolean;
  endingAt: Date | null;
  /** End of the plan's trial (startedAt + trial_period days): the fee is free before its day, usage is billed as usual. */
  trialEndsAt?: Date | null;
  /**
   * The periods usage charges are billed on, when they differ from the fee's (`bill_charges_monthly` on a yearly or
   * semiannual plan: monthly periods on the same anchor, so every fee boundary is also a charge boundary).
   */
  chargeSchedule?: BillingSchedule;
}

export interface FeeCharge {
  /** The billing period the fee belongs to, and the days of it charged. */
  period: BillingPeriod;
  proration: Proration;
  /** True when fewer days than the full period were charged. */
  prorated: boolean;
}

export interface BillingStep {
  boundary: Date;
  /** Usage to rate: [start, end), empty (null) when the subscription ran no time before the boundary. */
  usageWindow: { start: Date; end: Date; period: BillingPeriod } | null;
  /** In-arrears fee for the period that closes at the boundary. */
  arrearsFee: FeeCharge | null;
  /** In-advance fee for the period that opens at the boundary. */
  advanceFee: FeeCharge | null;
  /** Credit for the unused, already-paid days of an in-advance fee, on termination or upgrade. */
  unusedAdvanceCredit: FeeCharge | null;
  /** The next boundary, or null when the subscription will never be billed again. */
  next: Date | null;
}

const MS = 1;

// A billing run asks for the same few periods for thousands of subscriptions that share a schedule; periods are pure
// functions of (instant, schedule), so they are memoised.
const periodCache = new Map<string, BillingPeriod>();
function periodContaining(instant: Date, schedule: BillingSchedule): BillingPeriod {
  const key = `${instant.getTime()}|${schedule.interval}|${schedule.billingTime}|${schedule.anchorDate}|${schedule.timezone}`;
  let period = periodCache.get(key);
  if (!period) {
    if (periodCache.size >= 50_000) periodCache.clear();
    period = computePeriod(instant, schedule);
    periodCache.set(key, period);
  }
  return period;
}

function fee(period: BillingPeriod, proration: Proration): FeeCharge {
  return { period, proration, prorated: proration.days !== period.days };
}

/** The first local day the fee is owed for within `period`, from the start and the trial; null when none is. */
function firstFeeDay(sub: BillableSubscription, period: BillingPeriod): string | null {
  const tz = sub.schedule.timezone;
  let first = period.firstDay;
  const startDay = localDate(sub.startedAt, tz);
  if (compareDates(startDay, first) > 0) first = startDay;
  if (sub.trialEndsAt) {
    const trialEndDay = localDate(sub.trialEndsAt, tz);
    if (compareDates(trialEndDay, first) > 0) first = trialEndDay;
  }
  return compareDates(first, period.lastDay) > 0 ? null : first;
}

export function billingStep(sub: BillableSubscription, boundary: Date): BillingStep {
  const tz = sub.schedule.timezone;
  const endsAt = sub.terminatedAt ?? sub.endingAt;
  const final = endsAt !== null && endsAt.getTime() <= boundary.getTime();
  const closed = periodContaining(new Date(boundary.getTime() - MS), sub.schedule);
  const chargeSchedule = sub.chargeSchedule ?? sub.schedule;
  const chargeClosed = sub.chargeSchedule ? periodContaining(new Date(boundary.getTime() - MS), chargeSchedule) : closed;
  const startDay = localDate(sub.startedAt, tz);
  // The boundary closes a fee period (or ends the subscription): only then is an in-arrears fee or a credit due. With
  // monthly charges on a yearly plan, the month ends in between bill usage only.
  const closesFeePeriod = final || boundary.getTime() === closed.end.getTime();
  // The end of an in-advance plan's trial inside a period: the fee from the trial's end to the period's end.
  const trialEndBoundary = sub.payInAdvance && !final && !!sub.trialEndsAt && boundary.getTime() === sub.trialEndsAt.getTime()
    && boundary.getTime() !== periodContaining(boundary, sub.schedule).start.getTime();

  // Usage of the charge period that closes here (nothing when the subscription started at the boundary); the first
  // period's usage counts from the start day (usageStartOf).
  const ranFrom = sub.startedAt > chargeClosed.start ? sub.startedAt : chargeClosed.start;
  const usageEnd = final && endsAt! < boundary ? endsAt! : boundary;
  const ranBeforeBoundary = ranFrom < usageEnd;
  const firstUsage = usageStartOf(sub);
  const usageStart = firstUsage > chargeClosed.start ? firstUsage : chargeClosed.start;
  const usageWindow = ranBeforeBoundary && !trialEndBoundary ? { start: usageStart, end: usageEnd, period: chargeClosed } : null;
  const feeRan = (sub.startedAt > closed.start ? sub.startedAt : closed.start) < usageEnd;

  let arrearsFee: FeeCharge | null = null;
  let unusedAdvanceCredit: FeeCharge | null = null;
  const endedMidPeriod = final && endsAt!.getTime() < closed.end.getTime();
  const from = firstFeeDay(sub, closed);
  if (feeRan && closesFeePeriod && !sub.payInAdvance && from !== null) {
    if (!endedMidPeriod) {
      arrearsFee = fee(closed, proratedFee(sub.amountCents, closed, from, closed.lastDay));
    } else {
      const endDay = localDate(endsAt!, tz);
      // Ended while still in trial: nothing of the fee is owed.
      if (compareDates(from, endDay) <= 0 || sub.upgraded) {
        const proration = sub.upgraded
          ? upgradeProration({ upgradeDate: endDay, previousPlan: { amountCents: sub.amountCents, payInAdvance: false, period: closed, startDate: from }, nextPlan: { amountCents: BigInt(0), period: closed } }).previousPlanCharge!
          : terminationProration({ amountCents: sub.amountCents, payInAdvance: false, period: closed, startDate: from }, endDay).charge!;
        if (proration.days > 0 || !sub.trialEndsAt) arrearsFee = fee(closed, proration);
      }
    }
  }
  if (sub.payInAdvance && endedMidPeriod && endsAt! >= sub.startedAt && from !== null) {
    const endDay = localDate(endsAt!, tz);
    const firstDay = from;
    // What was billed in advance for this period: the whole fee, or the prorated first period (or from the trial's end).
    const billed = compareDates(firstDay, closed.firstDay) > 0 && (sub.schedule.billingTime === "calendar" || compareDates(firstDay, startDay) !== 0)
      ? firstPeriodFee(sub.amountCents, closed, firstDay).amountCents
      : sub.amountCents;
    const planFee = { amountCents: sub.amountCents, payInAdvance: true, period: closed, startDate: firstDay, billedCents: billed };
    const credit = sub.upgraded
      ? upgradeProration({ upgradeDate: endDay, previousPlan: planFee, nextPlan: { amountCents: BigInt(0), period: closed } }).previousPlanCredit
      : terminationProration(planFee, endDay).credit;
    if (credit && credit.amountCents > BigInt(0)) unusedAdvanceCredit = fee(closed, credit);
  }

  // The period that opens here: its in-advance fee, and the next boundary.
  if (final) return { boundary, usageWindow, arrearsFee, advanceFee: null, unusedAdvanceCredit, next: null };
  const opening = periodContaining(boundary, sub.schedule);
  const chargeOpening = sub.chargeSchedule ? periodContaining(boundary, chargeSchedule) : opening;
  const opensFeePeriod = boundary.getTime() === opening.start.getTime() || boundary.getTime() === sub.startedAt.getTime() || trialEndBoundary;
  let advanceFee: FeeCharge | null = null;
  let next = opening.end;
  if (sub.payInAdvance && opensFeePeriod) {
    const firstDay = firstFeeDay(sub, opening);
    const trialEndDay = sub.trialEndsAt ? localDate(sub.trialEndsAt, tz) : null;
    if (!trialEndBoundary && firstDay !== null && trialEndDay !== null && compareDates(firstDay, trialEndDay) === 0 && compareDates(trialEndDay, opening.firstDay) > 0 && sub.trialEndsAt! > boundary) {
      // The trial ends inside this period: its fee is invoiced when the trial ends (Lago invoices at trial end).
      next = sub.trialEndsAt!;
    } else if (firstDay !== null) {
      const proration = firstDay === opening.firstDay
        ? proratedFee(sub.amountCents, opening, opening.firstDay, opening.lastDay)
        : firstPeriodFee(sub.amountCents, opening, firstDay);
      advanceFee = fee(opening, proration);
    }
  }
  if (chargeOpening.end < next) next = chargeOpening.end;
  return { boundary, usageWindow, arrearsFee, advanceFee, unusedAdvanceCredit, next: endsAt && endsAt < next ? endsAt : next };
}

/**
 * The first instant whose usage a subscription is billed for. Lago starts the first period at the start *date*: usage
 * sent earlier on the start day (the customer's day), e.g. in the same second as the create call, counts. A subscription
 * that replaced another during the day (an upgrade) counts from the change, the earlier usage being the old one's.
 */
export function usageStartOf(sub: Pick<BillableSubscription, "startedAt" | "subscriptionAt" | "schedule">): Date {
  if (!sub.subscriptionAt || sub.subscriptionAt.getTime() !== sub.startedAt.getTime()) return sub.startedAt;
  return startOfLocalDay(localDate(sub.startedAt, sub.schedule.timezone), sub.schedule.timezone);
}

/** The first boundary of a subscription that has just started: its start (in advance) or its first period's end. */
export function firstBillingBoundary(sub: Pick<BillableSubscription, "payInAdvance" | "schedule" | "startedAt" | "endingAt" | "chargeSchedule">): Date {
  if (sub.payInAdvance) return sub.startedAt;
  let end = periodContaining(sub.startedAt, sub.schedule).end;
  if (sub.chargeSchedule) {
    const chargeEnd = periodContaining(sub.startedAt, sub.chargeSchedule).end;
    if (chargeEnd < end) end = chargeEnd;
  }
  return sub.endingAt && sub.endingAt < end ? sub.endingAt : end;
}

/** A termination (or upgrade) brings the next boundary forward to it, never past a boundary still unbilled. */
export function boundaryAfterTermination(nextBillingAt: Date | null, terminatedAt: Date): Date {
  return nextBillingAt && nextBillingAt < terminatedAt ? nextBillingAt : terminatedAt;
}
