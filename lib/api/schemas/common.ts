import Decimal from "decimal.js";
import { z } from "zod";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
const TIMEZONES = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
export const CANADIAN_PROVINCES = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"] as const;

/** A Canadian address needs a province or territory code; for other countries any region is accepted. */
export function isProvinceOfCountry(province: string, country: string): boolean {
  return country !== "CA" || (CANADIAN_PROVINCES as readonly string[]).includes(province.toUpperCase());
}

const region = new Intl.DisplayNames(["en"], { type: "region", fallback: "none" });
// CLDR's groupings that are not countries.
const NOT_COUNTRIES = new Set(["ZZ", "EU", "EZ", "UN", "QO"]);
function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && region.of(code) !== undefined;
}

/** Optional, nullable string: Lago clients send null to clear a field. */
export const optionalText = (max = 255) => z.string().trim().max(max).nullable().optional();

export const countryCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine(isCountryCode, "not_a_valid_country_code");

/** The number of decimals of a currency's minor unit (ISO 4217, from CLDR): 2 for CAD, 0 for JPY, 3 for KWD. */
export function currencyExponent(code: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An ISO currency the ledger can bill in. Every amount is stored, taxed, printed and charged in cents (two-decimal
 * minor units), so only two-decimal currencies are accepted; JPY (0), KWD (3) and the like are refused with 422
 * `currency_not_supported` rather than billed 100× wrong.
 */
export const currencyCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => CURRENCIES.has(v), "value_is_invalid")
  .refine((v) => !CURRENCIES.has(v) || currencyExponent(v) === 2, "currency_not_supported");

export const timezoneName = z.string().trim().refine((v) => TIMEZONES.has(v), "invalid_timezone");

export const emailAddress = z
  .string()
  .trim()
  .max(320)
  .refine((v) => /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(v), "invalid_email_format");

export const externalId = z.string().trim().min(1, "value_is_mandatory").max(255);
export const catalogCode = z
  .string()
  .trim()
  .min(1, "value_is_mandatory")
  .max(255)
  .regex(/^[A-Za-z0-9_.:-]+$/, "value_is_invalid");

/**
 * Bounds of what the API accepts (README "Security model → Input bounds"). Every number and date is checked against
 * them at the edge, so nothing that reaches the ledger can overflow a column or a later computation.
 */
export const INPUT_BOUNDS = {
  /** Amounts in cents: whole, 0 … 2^53 − 1. */
  maxAmountCents: BigInt(Number.MAX_SAFE_INTEGER),
  /** Usage values and event quantities: |value| ≤ 10^15 with at most 12 decimals (Decimal(38,12) keeps sums of a billion of them exact). */
  maxUsageValue: "1000000000000000",
  maxScale: 12,
  /** Included quantities of a charge: 0 … 10^15. */
  maxIncludedQuantity: "1000000000000000",
  /** Trial periods: 0 … 3650 days, at most 4 decimals (Decimal(10,4)). */
  maxTrialDays: "3650",
  trialScale: 4,
  /** Dates and instants: from 2000-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z (exclusive). */
  earliestDate: new Date("2000-01-01T00:00:00Z"),
  latestDate: new Date("2100-01-01T00:00:00Z"),
} as const;

/** Whole number of cents, as a JSON integer or an integer string. Fractions (1.5) are refused, never truncated. */
export const amountCents = z
  .union([z.number().int("value_is_invalid"), z.string().trim().regex(/^-?\d{1,20}$/, "value_is_invalid")])
  .transform((v) => BigInt(v))
  .refine((v) => v >= BigInt(0) && v <= INPUT_BOUNDS.maxAmountCents, "value_is_out_of_range");

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** The plain decimal text of a JSON number or string, or null when it is not a finite decimal (NaN, 1e400, "0x10"). */
function decimalText(value: number | string): string | null {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    // Numbers are read through decimal.js so 1e21 or 1e-7 become plain digits, not exponent notation.
    return new Decimal(value).toFixed();
  }
  return DECIMAL_TEXT.test(value) ? value.replace(/^(-?)0+(?=\d)/, "$1") : null;
}

/**
 * A decimal quantity given as a JSON number or a decimal string, returned as plain decimal text; out of
 * [min, max] is `value_is_out_of_range`, more than `scale` decimals `value_is_invalid`.
 */
export function boundedDecimal(options: { min: string; max: string; scale: number }) {
  return z.union([z.number(), z.string().trim().max(80, "value_is_invalid")]).transform((raw, ctx) => {
    const text = decimalText(raw);
    if (text === null) {
      ctx.addIssue({ code: "custom", message: typeof raw === "number" ? "value_is_out_of_range" : "value_is_invalid" });
      return z.NEVER;
    }
    const value = new Decimal(text);
    if (value.lt(options.min) || value.gt(options.max)) {
      ctx.addIssue({ code: "custom", message: "value_is_out_of_range" });
      return z.NEVER;
    }
    if (value.decimalPlaces() > options.scale) {
      ctx.addIssue({ code: "custom", message: "value_is_invalid" });
      return z.NEVER;
    }
    return value.toFixed();
  });
}

/** A usage value or event amount: |value| ≤ 10^15, ≤ 12 decimals. */
export const usageValue = boundedDecimal({ min: `-${INPUT_BOUNDS.maxUsageValue}`, max: INPUT_BOUNDS.maxUsageValue, scale: INPUT_BOUNDS.maxScale });
export const includedQuantity = boundedDecimal({ min: "0", max: INPUT_BOUNDS.maxIncludedQuantity, scale: INPUT_BOUNDS.maxScale });
export const trialPeriodDays = boundedDecimal({ min: "0", max: INPUT_BOUNDS.maxTrialDays, scale: INPUT_BOUNDS.trialScale });

/** True when the instant is inside the accepted date range. */
export function isDateInBounds(date: Date): boolean {
  const t = date.getTime();
  return Number.isFinite(t) && t >= INPUT_BOUNDS.earliestDate.getTime() && t < INPUT_BOUNDS.latestDate.getTime();
}

const DATE_TIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant of an ISO-8601 date or date-time, or null. Calendar fields are checked as written: 2026-02-30 or
 * 24:00 are refused instead of rolling over to the next valid date as `Date.parse` would. A date alone is midnight UTC;
 * a date-time without an offset is read as UTC, never as the server's local time.
 */
export function parseIsoDateTime(text: string): Date | null {
  const m = DATE_TIME_TEXT.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return null;
  const offset = m[7];
  if (offset && offset !== "Z" && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(-2)) > 59)) return null;
  const base = offset ? text.slice(0, -offset.length) : text;
  const normalizedOffset = !offset || offset === "Z" ? "Z" : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
  const iso = m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : `${base.replace(" ", "T")}${normalizedOffset}`;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** ISO-8601 date-time (or date) within the accepted range; a Date in UTC. */
export const isoDateTime = z
  .string()
  .trim()
  .max(40, "invalid_date")
  .transform((v, ctx) => {
    const date = parseIsoDateTime(v);
    if (!date) {
      ctx.addIssue({ code: "custom", message: "invalid_date" });
      return z.NEVER;
    }
    if (!isDateInBounds(date)) {
      ctx.addIssue({ code: "custom", message: "value_is_out_of_range" });
      return z.NEVER;
    }
    return date;
  });
