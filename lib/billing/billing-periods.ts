/**
 * Billing periods of a subscription, computed in the customer's timezone.
 *
 * A period runs from local midnight of its first day (inclusive) to local midnight after its last day (exclusive), both
 * stored as UTC instants, so consecutive periods share a boundary and never overlap.
 *
 * - calendar: months start on the 1st, quarters on Jan/Apr/Jul/Oct 1, half-years on Jan/Jul 1, years on Jan 1, weeks on
 *   Monday.
 * - anniversary: periods start on the anchor (subscription) date's day; an anchor day the month lacks falls back to the
 *   month's last day each time (Jan 31 → Feb 28/29 → Mar 31), and a yearly Feb 29 anchor renews on Feb 28 in common years.
 *   Weekly anniversary periods start on the anchor's weekday.
 */
import type { PlanInterval } from "@/lib/catalog/vocabulary";
import {
  addDays,
  addMonthsClamped,
  assertTimeZone,
  compareDates,
  daysInclusive,
  isoWeekday,
  localDate,
  parseCalendarDate,
  startOfLocalDay,
  type CalendarDate,
} from "./calendar-date";

export type { PlanInterval };
export type BillingTime = "calendar" | "anniversary";

export interface BillingSchedule {
  interval: PlanInterval;
  billingTime: BillingTime;
  /** The subscription date as a calendar date in the customer's timezone (use `localDate` to derive it from an instant). */
  anchorDate: CalendarDate;
  /** IANA timezone of the customer. */
  timezone: string;
}

export interface BillingPeriod {
  /** Local midnight starting the first day, as a UTC instant (inclusive). */
  start: Date;
  /** Local midnight after the last day, as a UTC instant (exclusive); equals the next period's start. */
  end: Date;
  firstDay: CalendarDate;
  /** Last day of the period, inclusive. */
  lastDay: CalendarDate;
  /** Whole calendar days in the period, both ends included. */
  days: number;
}

const MONTHS_PER_PERIOD: Record<Exclude<PlanInterval, "weekly">, number> = {
  monthly: 1,
  quarterly: 3,
  semiannual: 6,
  yearly: 12,
};

const CALENDAR_MONTH_ANCHOR = "2000-01-01";
const CALENDAR_WEEK_ANCHOR = "2000-01-03"; // a Monday

function assertSchedule(schedule: BillingSchedule): void {
  if (!(schedule.interval === "weekly" || schedule.interval in MONTHS_PER_PERIOD)) {
    throw new RangeError(`Unknown plan interval: ${schedule.interval}`);
  }
  if (schedule.billingTime !== "calendar" && schedule.billingTime !== "anniversary") {
    throw new RangeError(`Unknown billing time: ${schedule.billingTime}`);
  }
  parseCalendarDate(schedule.anchorDate);
  assertTimeZone(schedule.timezone);
}

/** First day of the period that contains a local date. */
function periodFirstDay(date: CalendarDate, schedule: BillingSchedule): CalendarDate {
  if (schedule.interval === "weekly") {
    const anchor = schedule.billingTime === "calendar" ? CALENDAR_WEEK_ANCHOR : schedule.anchorDate;
    const back = (isoWeekday(date) - isoWeekday(anchor) + 7) % 7;
    return addDays(date, -back);
  }
  const step = MONTHS_PER_PERIOD[schedule.interval];
  const anchor = schedule.billingTime === "calendar" ? CALENDAR_MONTH_ANCHOR : schedule.anchorDate;
  const anchorParts = parseCalendarDate(anchor);
  const dateParts = parseCalendarDate(date);
  const monthsFromAnchor = (dateParts.year - anchorParts.year) * 12 + (dateParts.month - anchorParts.month);
  let offset = monthsFromAnchor - (((monthsFromAnchor % step) + step) % step);
  let first = addMonthsClamped(anchor, offset, anchorParts.day);
  if (compareDates(first, date) > 0) {
    offset -= step;
    first = addMonthsClamped(anchor, offset, anchorParts.day);
  }
  return first;
}

/** First day of the period after the one starting on `firstDay`. */
function followingFirstDay(firstDay: CalendarDate, schedule: BillingSchedule): CalendarDate {
  if (schedule.interval === "weekly") return addDays(firstDay, 7);
  const anchorDay = schedule.billingTime === "calendar" ? 1 : parseCalendarDate(schedule.anchorDate).day;
  return addMonthsClamped(firstDay, MONTHS_PER_PERIOD[schedule.interval], anchorDay);
}

function buildPeriod(firstDay: CalendarDate, schedule: BillingSchedule): BillingPeriod {
  const nextFirstDay = followingFirstDay(firstDay, schedule);
  const lastDay = addDays(nextFirstDay, -1);
  return {
    start: startOfLocalDay(firstDay, schedule.timezone),
    end: startOfLocalDay(nextFirstDay, schedule.timezone),
    firstDay,
    lastDay,
    days: daysInclusive(firstDay, lastDay),
  };
}

/** The period containing an instant (a boundary instant belongs to the period it starts). */
export function periodContaining(instant: Date, schedule: BillingSchedule): BillingPeriod {
  assertSchedule(schedule);
  return buildPeriod(periodFirstDay(localDate(instant, schedule.timezone), schedule), schedule);
}

/** The period containing a local calendar date. */
export function periodContainingDate(date: CalendarDate, schedule: BillingSchedule): BillingPeriod {
  assertSchedule(schedule);
  return buildPeriod(periodFirstDay(date, schedule), schedule);
}

export function nextPeriod(period: BillingPeriod, schedule: BillingSchedule): BillingPeriod {
  assertSchedule(schedule);
  return buildPeriod(addDays(period.lastDay, 1), schedule);
}

/**
 * Periods whose end falls in (after, upTo] — what a billing run at `upTo` must invoice when the previous run was at
 * `after`. A period ending exactly at `after` belonged to the previous run; one ending exactly at `upTo` is included.
 */
export function periodsEndedBetween(after: Date, upTo: Date, schedule: BillingSchedule): BillingPeriod[] {
  assertSchedule(schedule);
  const periods: BillingPeriod[] = [];
  if (upTo.getTime() <= after.getTime()) return periods;
  // The period containing `after` is the first that can end after it.
  let period = periodContaining(after, schedule);
  while (period.end.getTime() <= upTo.getTime()) {
    if (period.end.getTime() > after.getTime()) periods.push(period);
    period = nextPeriod(period, schedule);
  }
  return periods;
}
