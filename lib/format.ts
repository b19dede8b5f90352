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

/** Formats integer minor units exactly (no float arithmetic on the amount). */
export function formatMoney(cents: bigint | number, currency = "CAD"): string {
  const value = BigInt(cents);
  const negative = value < BigInt(0);
  const abs = negative ? -value : value;
  const hundred = BigInt(100);
  const whole = (abs / hundred).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % hundred).toString().padStart(2, "0");
  const symbol = currency === "CAD" || currency === "USD" ? "$" : "";
  const text = `${symbol}${whole}.${fraction}${symbol ? (currency === "CAD" ? "" : ` ${currency}`) : ` ${currency}`}`;
  return negative ? `-${text}` : text;
}

/** "1 plan", "3 plans"; `plural` for the irregular ones. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
