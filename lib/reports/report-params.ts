import { addDays, localDate } from "@/lib/billing/calendar-date";

type Params = Record<string, string | string[] | undefined>;
const one = (params: Params, name: string) => (typeof params[name] === "string" ? (params[name] as string) : undefined);

/** Where the books are kept: report days and months are calendar days and months in this timezone. */
export const BOOKS_TIMEZONE = "America/Toronto";
/**
 * Revenue, MRR and margin add amounts together, so they count one currency: the books'. Documents in another currency
 * are left out rather than added as if they were dollars (the product holds no exchange rates).
 */
export const BOOKS_CURRENCY = "CAD";

/** Today in Toronto, where the books are kept. */
export function booksToday(now = new Date()): string {
  return localDate(now, BOOKS_TIMEZONE);
}

/** The filing period of the URL (from, to), the last complete quarter when none is given. */
export function periodParams(params: Params, now = new Date()): { from: string; to: string } {
  const from = one(params, "from");
  const to = one(params, "to");
  if (from && to) return { from, to };
  return lastQuarter(booksToday(now));
}

export function quarterOf(year: number, quarter: number): { from: string; to: string; label: string } {
  const startMonth = (quarter - 1) * 3 + 1;
  const from = `${year}-${String(startMonth).padStart(2, "0")}-01`;
  const next = quarter === 4 ? `${year + 1}-01-01` : `${year}-${String(startMonth + 3).padStart(2, "0")}-01`;
  return { from, to: addDays(next, -1), label: `Q${quarter} ${year}` };
}

export function lastQuarter(today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4));
  const quarter = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  return quarter === 1 ? quarterOf(year - 1, 4) : quarterOf(year, quarter - 1);
}

export function asOfParam(params: Params, now = new Date()): string {
  return one(params, "as_of") ?? booksToday(now);
}

export function optionalUuid(params: Params, name: string): string | undefined {
  const value = one(params, name);
  return value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? value : undefined;
}

/** The months of the URL (from, to as YYYY-MM); by default the `count` months ending with this one in Toronto. */
export function monthParams(params: Params, count: number, now = new Date()): { from: string; to: string } {
  const to = one(params, "to") ?? booksToday(now).slice(0, 7);
  let from = one(params, "from");
  if (!from) {
    const [year, month] = /^\d{4}-\d{2}$/.test(to) ? [Number(to.slice(0, 4)), Number(to.slice(5, 7))] : [Number(booksToday(now).slice(0, 4)), Number(booksToday(now).slice(5, 7))];
    const index = year * 12 + (month - 1) - (count - 1);
    from = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  }
  return { from, to };
}
