/** Calendar months (YYYY-MM, UTC) as the migration path counts them. */
const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return PERIOD.test(text);
}

export function monthStart(period: string): Date {
  return new Date(`${period}-01T00:00:00.000Z`);
}

/** The first instant after the month. */
export function monthEnd(period: string): Date {
  const start = monthStart(period);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

export function monthOf(instant: Date): string {
  return instant.toISOString().slice(0, 7);
}

/** The `count` complete months before the month of `now`, oldest first. */
export function lastCompleteMonths(now: Date, count: number): string[] {
  const months: string[] = [];
  for (let back = count; back >= 1; back--) months.push(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))));
  return months;
}
