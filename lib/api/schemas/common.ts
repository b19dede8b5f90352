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

export const currencyCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => CURRENCIES.has(v), "value_is_invalid");

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

/** Whole number of cents, as a JSON integer or an integer string. */
export const amountCents = z
  .union([z.number(), z.string().regex(/^-?\d+$/)])
  .transform((v) => BigInt(v))
  .refine((v) => v >= BigInt(0) && v <= BigInt(Number.MAX_SAFE_INTEGER), "value_is_out_of_range");

/** A decimal quantity given as a JSON number or a decimal string. */
export const decimalString = z
  .union([z.number().finite(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, "value_is_invalid")])
  .transform((v) => String(v));

/** ISO-8601 date-time (or date); a Date in UTC. */
export const isoDateTime = z
  .string()
  .trim()
  .refine((v) => /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), "invalid_date")
  // A date alone is midnight UTC; a date-time without an offset is read as UTC, never as the server's local time.
  .transform((v) => new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v.replace(" ", "T")}Z`));
