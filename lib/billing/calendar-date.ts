/**
 * Calendar dates ("YYYY-MM-DD", no time, no zone) and their conversion to UTC instants in an IANA timezone.
 *
 * Billing days are whole calendar days in the customer's timezone; doing day arithmetic on dates rather than on instants
 * keeps a 23- or 25-hour DST day counting as exactly one day.
 */

/** An ISO calendar date, "YYYY-MM-DD". */
export type CalendarDate = string;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const MS_PER_DAY = 86_400_000;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseCalendarDate(date: CalendarDate): DateParts {
  const match = DATE_TEXT.exec(date);
  if (match) {
    const parts = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
    if (parts.month >= 1 && parts.month <= 12 && parts.day >= 1 && parts.day <= daysInMonth(parts.year, parts.month)) {
      return parts;
    }
  }
  throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
}

export function formatCalendarDate({ year, month, day }: DateParts): CalendarDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function isCalendarDate(value: string): boolean {
  try {
    parseCalendarDate(value);
    return true;
  } catch {
    return false;
  }
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * A pure function's result from `cache`, computed on a miss; the cache is emptied at 100,000 entries. A billing run asks
 * for the same few dates, instants and zones for every subscription.
 */
function memoised<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= 100_000) cache.clear();
    value = compute();
    cache.set(key, value);
  }
  return value;
}

const dayNumbers = new Map<CalendarDate, number>();

/** Days since 1970-01-01; the proleptic Gregorian calendar has no DST, so this is exact day arithmetic. */
export function dayNumber(date: CalendarDate): number {
  return memoised(dayNumbers, date, () => {
    const { year, month, day } = parseCalendarDate(date);
    return Date.UTC(year, month - 1, day) / MS_PER_DAY;
  });
}

function fromDayNumber(days: number): CalendarDate {
  const utc = new Date(days * MS_PER_DAY);
  return formatCalendarDate({ year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate() });
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return fromDayNumber(dayNumber(date) + days);
}

/**
 * Adds months keeping the given day of month where it exists and falling back to the month's last day otherwise
 * (anchor day 31 → Feb 28 or 29, Apr 30, …). `dayOfMonth` defaults to the date's own day.
 */
export function addMonthsClamped(date: CalendarDate, months: number, dayOfMonth?: number): CalendarDate {
  const { year, month, day } = parseCalendarDate(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  const wantedDay = dayOfMonth ?? day;
  return formatCalendarDate({ year: targetYear, month: targetMonth, day: Math.min(wantedDay, daysInMonth(targetYear, targetMonth)) });
}

/** Negative when a is before b, 0 when equal. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return dayNumber(a) - dayNumber(b);
}

/** Whole days from `from` to `to`, both included ("2026-01-01".."2026-01-31" → 31); 0 when `to` is before `from`. */
export function daysInclusive(from: CalendarDate, to: CalendarDate): number {
  return Math.max(0, dayNumber(to) - dayNumber(from) + 1);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: CalendarDate): number {
  const weekday = new Date(dayNumber(date) * MS_PER_DAY).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone, which is what callers should see.
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface LocalTime extends DateParts {
  hour: number;
  minute: number;
  second: number;
}

function localTime(instant: Date, timeZone: string): LocalTime {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid Date");
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") values[part.type] = Number(part.value);
  }
  return { year: values.year, month: values.month, day: values.day, hour: values.hour, minute: values.minute, second: values.second };
}

/** Throws RangeError unless `timeZone` is an IANA zone known to the runtime. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** By zone, then by instant (a number key: no key text to build and hash on every call); emptied at 100,000 dates. */
const localDates = new Map<string, Map<number, CalendarDate>>();
let localDatesHeld = 0;

/** The calendar date an instant falls on in a timezone (memoised: billing runs ask for the same instants often). */
export function localDate(instant: Date, timeZone: string): CalendarDate {
  const at = instant.getTime();
  let inZone = localDates.get(timeZone);
  let date = inZone?.get(at);
  if (date === undefined) {
    date = formatCalendarDate(localTime(instant, timeZone));
    if (localDatesHeld >= 100_000) {
      localDates.clear();
      localDatesHeld = 0;
      inZone = undefined;
    }
    if (!inZone) localDates.set(timeZone, (inZone = new Map()));
    inZone.set(at, date);
    localDatesHeld += 1;
  }
  return date;
}

const isoInstants = new Map<number, string>();

/** An instant as ISO 8601 UTC text, toISOString's (memoised: a period close writes the same few boundaries on every row). */
export function isoInstant(instant: Date): string {
  return memoised(isoInstants, instant.getTime(), () => instant.toISOString());
}

/** Local clock minus UTC at an instant, in milliseconds (whole seconds). */
function utcOffsetMs(instant: number, timeZone: string): number {
  const local = localTime(new Date(instant), timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

const dayStarts = new Map<string, number>();

/**
 * The first instant of a calendar date in a timezone: local midnight, or — in the rare zones whose DST change skips
 * midnight — the first instant that exists on that date.
 *
 * Each offset in force around the date yields a candidate `midnight-as-UTC − offset`; the candidates that really fall on
 * the date are the valid starts and the earliest wins (a repeated midnight takes its first occurrence).
 */
export function startOfLocalDay(date: CalendarDate, timeZone: string): Date {
  return new Date(memoised(dayStarts, `${date}|${timeZone}`, () => firstInstantOf(date, timeZone)));
}

function firstInstantOf(date: CalendarDate, timeZone: string): number {
  const { year, month, day } = parseCalendarDate(date);
  const midnightAsUtc = Date.UTC(year, month - 1, day);
  const offsets = new Set([-1, 0, 1].map((shift) => utcOffsetMs(midnightAsUtc + shift * MS_PER_DAY, timeZone)));
  let start: number | null = null;
  for (const offset of offsets) {
    const candidate = midnightAsUtc - offset;
    if (localDate(new Date(candidate), timeZone) === date && (start === null || candidate < start)) start = candidate;
  }
  if (start === null) throw new RangeError(`${date} does not exist in ${timeZone}`);
  return start;
}
