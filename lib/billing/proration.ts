/**
 * Day-based proration of plan fees, as Lago does it: a fee is priced per day of the full billing period that contains the
 * date (a 31-day month → amount ÷ 31 per day), days are whole calendar days in the customer's timezone with both ends
 * included, and the exact result is rounded to the cent once (see money.ts).
 *
 * Conventions reproduced from Lago:
 * - upgrade: the upgrade day is unused for the old plan and used by the new one (€100/month on Jan 1, upgraded to €200 on
 *   Jan 15: old 14/31 × 100 = 45.16, new 17/31 × 200 = 109.68);
 * - termination: the termination day is used; a plan paid in advance is credited for the days after it;
 * - credits never exceed what was billed for the period;
 * - first period: calendar billing prorates from the start date; an anniversary period starts on it, so it is whole.
 */
import { addDays, compareDates, dayNumber, parseCalendarDate, type CalendarDate } from "./calendar-date";
import type { BillingPeriod } from "./billing-periods";
import { decimal, type Decimal } from "./decimal";
import { centsToDecimal, divideHalfUp } from "./money";

export interface Proration {
  /** Exact prorated amount in major units. */
  amount: Decimal;
  /** `amount` rounded half up to the cent (or the cap, for a capped credit). */
  amountCents: bigint;
  /** First and last day prorated, inclusive; `toDate` is the day before `fromDate` when no day is prorated. */
  fromDate: CalendarDate;
  toDate: CalendarDate;
  days: number;
  periodDays: number;
}

export interface PlanFee {
  amountCents: bigint;
  payInAdvance: boolean;
  /** The billing period the change falls in. */
  period: BillingPeriod;
  /** Subscription start, when it began inside `period`; defaults to the period's first day. */
  startDate?: CalendarDate;
  /** What was invoiced in advance for `period`; caps the credit. Defaults to `amountCents`. */
  billedCents?: bigint;
}

function assertInPeriod(date: CalendarDate, period: BillingPeriod, what: string): void {
  parseCalendarDate(date);
  if (compareDates(date, period.firstDay) < 0 || compareDates(date, period.lastDay) > 0) {
    throw new RangeError(`${what} ${date} is outside the period ${period.firstDay}..${period.lastDay}`);
  }
}

/** Fraction of the full period covered by `fromDate`..`toDate` (inclusive days ÷ period days). */
export function periodFraction(period: BillingPeriod, fromDate: CalendarDate, toDate: CalendarDate): Decimal {
  return decimal(proratedDays(period, fromDate, toDate)).div(period.days);
}

function proratedDays(period: BillingPeriod, fromDate: CalendarDate, toDate: CalendarDate): number {
  // Day numbers (each date validated once, then memoised): the close prorates every subscription's fee.
  const from = dayNumber(fromDate);
  const to = dayNumber(toDate);
  const first = dayNumber(period.firstDay);
  const last = dayNumber(period.lastDay);
  // An empty range (to = from − 1) may sit just outside either end, e.g. "after the last day".
  if (from < first || from > last + 1 || to < first - 1 || to > last) {
    throw new RangeError(`${fromDate}..${toDate} is outside the period ${period.firstDay}..${period.lastDay}`);
  }
  if (to < from - 1) {
    throw new RangeError(`To date ${toDate} is more than a day before from date ${fromDate}`);
  }
  return to - from + 1;
}

/**
 * `amountCents` × (days from `fromDate` to `toDate`, inclusive ÷ days in the full period), rounded once.
 * `toDate` may be the day before `fromDate` (nothing to prorate).
 */
export function proratedFee(amountCents: bigint, period: BillingPeriod, fromDate: CalendarDate, toDate: CalendarDate): Proration {
  const days = proratedDays(period, fromDate, toDate);
  // The rounded amount in integers, equal to rounding the exact one: a tie (a half cent) is exact in both.
  const whole = days === period.days;
  const amount = whole ? centsToDecimal(amountCents) : centsToDecimal(amountCents).mul(days).div(period.days);
  return { amount, amountCents: whole ? amountCents : divideHalfUp(amountCents * BigInt(days), BigInt(period.days)), fromDate, toDate, days, periodDays: period.days };
}

function laterOf(a: CalendarDate, b: CalendarDate): CalendarDate {
  return compareDates(a, b) >= 0 ? a : b;
}

function effectiveStart(plan: PlanFee): CalendarDate {
  if (plan.startDate === undefined) return plan.period.firstDay;
  parseCalendarDate(plan.startDate);
  return laterOf(plan.startDate, plan.period.firstDay);
}

function capped(credit: Proration, plan: PlanFee): Proration {
  const cap = plan.billedCents ?? plan.amountCents;
  if (credit.amountCents <= cap) return credit;
  return { ...credit, amount: centsToDecimal(cap), amountCents: cap };
}

/** Fee for the first period: from the start date to the period end (whole when the period starts on that date). */
export function firstPeriodFee(amountCents: bigint, period: BillingPeriod, startDate: CalendarDate): Proration {
  assertInPeriod(startDate, period, "Start date");
  return proratedFee(amountCents, period, startDate, period.lastDay);
}

export interface UpgradeInput {
  upgradeDate: CalendarDate;
  previousPlan: PlanFee;
  /** The new plan's fee and its period containing the upgrade date (same anchor, possibly another interval). */
  nextPlan: { amountCents: bigint; period: BillingPeriod };
}

export interface UpgradeProration {
  /** Old plan billed in arrears: its days used before the upgrade day, invoiced now. */
  previousPlanCharge: Proration | null;
  /** Old plan paid in advance: credit for the unused days, the upgrade day included. */
  previousPlanCredit: Proration | null;
  /** New plan from the upgrade day to the end of its period (invoiced now when in advance, at period end otherwise). */
  nextPlanCharge: Proration;
}

export function upgradeProration({ upgradeDate, previousPlan, nextPlan }: UpgradeInput): UpgradeProration {
  assertInPeriod(upgradeDate, previousPlan.period, "Upgrade date");
  assertInPeriod(upgradeDate, nextPlan.period, "Upgrade date");
  const nextPlanCharge = proratedFee(nextPlan.amountCents, nextPlan.period, upgradeDate, nextPlan.period.lastDay);
  if (previousPlan.payInAdvance) {
    const credit = proratedFee(previousPlan.amountCents, previousPlan.period, upgradeDate, previousPlan.period.lastDay);
    return { previousPlanCharge: null, previousPlanCredit: capped(credit, previousPlan), nextPlanCharge };
  }
  const start = effectiveStart(previousPlan);
  const lastUsedDay = addDays(upgradeDate, -1);
  const from = compareDates(start, upgradeDate) > 0 ? upgradeDate : start;
  const charge = proratedFee(previousPlan.amountCents, previousPlan.period, from, lastUsedDay);
  return { previousPlanCharge: charge, previousPlanCredit: null, nextPlanCharge };
}

export interface TerminationProration {
  /** Plan billed in arrears: days from the start of the period (or subscription) through the termination day. */
  charge: Proration | null;
  /** Plan paid in advance: credit for the days after the termination day. */
  credit: Proration | null;
}

export function terminationProration(plan: PlanFee, terminationDate: CalendarDate): TerminationProration {
  assertInPeriod(terminationDate, plan.period, "Termination date");
  if (plan.payInAdvance) {
    const credit = proratedFee(plan.amountCents, plan.period, addDays(terminationDate, 1), plan.period.lastDay);
    return { charge: null, credit: capped(credit, plan) };
  }
  const start = effectiveStart(plan);
  if (compareDates(start, terminationDate) > 0) {
    throw new RangeError(`Termination date ${terminationDate} is before the start date ${start}`);
  }
  return { charge: proratedFee(plan.amountCents, plan.period, start, terminationDate), credit: null };
}
