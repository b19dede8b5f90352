import { formatMoney as formatMinorUnits } from "@/lib/documents/money-format";

/** Display formatting: Canadian English, amounts from integer cents, dates in a given IANA timezone. */
export const DEFAULT_TIMEZONE = "America/Toronto";

export function formatDateTime(value: Date | string, timeZone = DEFAULT_TIMEZONE): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(value));
}

export function formatDate(value: Date | string, timeZone = DEFAULT_TIMEZONE): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "short", day: "numeric" }).format(new Date(value));
}

/** Formats integer minor units exactly ("$1,234.56", "$10.00 USD", "10.00 EUR"); the same formatter as documents. */
export function formatMoney(cents: bigint | number, currency = "CAD"): string {
  return formatMinorUnits(BigInt(cents), currency);
}

/** "1 plan", "3 plans"; `plural` for the irregular ones. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
