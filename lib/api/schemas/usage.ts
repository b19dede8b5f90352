import { z } from "zod";
import { boundedDecimal, INPUT_BOUNDS, isDateInBounds, isoDateTime, parseIsoDateTime, usageValue } from "./common";

/** Unix seconds as a number or numeric string, fractions allowed (Lago); ISO strings are refused as Lago does. */
const unixTimestamp = z
  .union([z.number().finite(), z.string().trim().regex(/^\d+(\.\d+)?$/, "invalid_format")])
  .transform((v) => new Date(Math.round(Number(v) * 1000)))
  .refine((d) => isDateInBounds(d), "value_is_out_of_range");

export const eventBody = z.strictObject({
  transaction_id: z.string().trim().min(1, "value_is_mandatory").max(255),
  code: z.string().trim().min(1, "value_is_mandatory").max(255),
  external_subscription_id: z.string().trim().min(1, "value_is_mandatory").max(255),
  timestamp: unixTimestamp.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  precise_total_amount_cents: boundedDecimal({ min: "0", max: String(INPUT_BOUNDS.maxAmountCents), scale: INPUT_BOUNDS.maxScale }).nullable().optional(),
});

export const MAX_EVENTS_PER_BATCH = 100;
export const MAX_USAGE_PER_BATCH = 1000;

export const usageRecordBody = z
  .strictObject({
    external_subscription_id: z.string().trim().min(1, "value_is_mandatory").max(255),
    code: z.string().trim().min(1, "value_is_mandatory").max(255),
    period_start: isoDateTime.optional(),
    period_end: isoDateTime.optional(),
    timestamp: isoDateTime.optional(),
    value: usageValue,
    idempotency_key: z.string().trim().min(1, "value_is_mandatory").max(255),
  })
  .superRefine((r, ctx) => {
    if (r.timestamp && (r.period_start || r.period_end)) {
      ctx.addIssue({ code: "custom", path: ["timestamp"], message: "value_is_invalid" });
    } else if (!r.timestamp) {
      if (!r.period_start) ctx.addIssue({ code: "custom", path: ["period_start"], message: "value_is_mandatory" });
      if (!r.period_end) ctx.addIssue({ code: "custom", path: ["period_end"], message: "value_is_mandatory" });
      if (r.period_start && r.period_end && r.period_end < r.period_start) {
        ctx.addIssue({ code: "custom", path: ["period_end"], message: "invalid_date" });
      }
    }
  })
  .transform((r) => ({
    externalSubscriptionId: r.external_subscription_id,
    metricCode: r.code,
    periodStart: (r.timestamp ?? r.period_start)!,
    periodEnd: (r.timestamp ?? r.period_end)!,
    value: r.value,
    idempotencyKey: r.idempotency_key,
  }));

export type UsageRecordBody = z.infer<typeof usageRecordBody>;

const USAGE_RECORD_KEYS = new Set(["external_subscription_id", "code", "period_start", "period_end", "timestamp", "value", "idempotency_key"]);
/** Decimal text that usageValue returns as it is: no leading or trailing zeros, ≤ 15 integer digits, ≤ 12 decimals. */
const PLAIN_USAGE_VALUE = /^-?(?:0|[1-9]\d{0,14})(?:\.\d{0,11}[1-9])?$/;

const plainText = (value: unknown): string | undefined => {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return text.length >= 1 && text.length <= 255 ? text : undefined;
};
/** A UTC instant as `toISOString` writes it (milliseconds optional, up to three digits), in the accepted years. */
const UTC_INSTANT = /^(20\d\d)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The last instant text read and its time: a batch's records usually share their timestamps. Null until one is read. */
let lastInstant: { text: string; time: number } | null = null;

/** Epoch milliseconds of an instant in UTC_INSTANT's form, checked as parseIsoDateTime checks it, or undefined. */
function utcInstantTime(text: string): number | undefined {
  if (lastInstant !== null && text === lastInstant.text) return lastInstant.time;
  const m = UTC_INSTANT.exec(text);
  if (!m) return undefined;
  const year = +m[1];
  const month = +m[2];
  const day = +m[3];
  const days = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || day < 1 || day > days || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return undefined;
  const ms = m[7] === undefined ? 0 : +m[7].padEnd(3, "0");
  const time = Date.UTC(year, month - 1, day, +m[4], +m[5], +m[6], ms);
  lastInstant = { text, time };
  return time;
}

const plainInstant = (value: unknown): Date | undefined => {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const time = utcInstantTime(text);
  if (time !== undefined) return new Date(time);
  const date = text.length <= 40 ? parseIsoDateTime(text) : null;
  return date && isDateInBounds(date) ? date : undefined;
};
const plainValue = (value: unknown): string | undefined => {
  if (typeof value === "number") return Number.isSafeInteger(value) && Math.abs(value) < 1e15 && !Object.is(value, -0) ? String(value) : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return text !== "-0" && PLAIN_USAGE_VALUE.test(text) ? text : undefined;
};

/**
 * What usageRecordBody makes of a usage record in its common, well-formed shapes, without zod's per-call work (a batch
 * carries up to 1000 records), or undefined for anything else: zod then decides, with its error codes. It accepts only
 * records that usageRecordBody accepts, and returns the same value (tests/unit/usage-record-body.test.ts compares them).
 */
export function quickUsageRecord(item: unknown): UsageRecordBody | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const body = item as Record<string, unknown>;
  for (const key in body) if (!Object.hasOwn(body, key) || !USAGE_RECORD_KEYS.has(key)) return undefined;
  if (Object.getOwnPropertySymbols(body).length) return undefined;
  const externalSubscriptionId = plainText(body.external_subscription_id);
  const metricCode = plainText(body.code);
  const idempotencyKey = plainText(body.idempotency_key);
  const value = plainValue(body.value);
  if (externalSubscriptionId === undefined || metricCode === undefined || idempotencyKey === undefined || value === undefined) return undefined;
  let periodStart: Date | undefined;
  let periodEnd: Date | undefined;
  if (body.timestamp !== undefined) {
    if (body.period_start !== undefined || body.period_end !== undefined) return undefined;
    periodStart = periodEnd = plainInstant(body.timestamp);
  } else {
    periodStart = plainInstant(body.period_start);
    periodEnd = plainInstant(body.period_end);
    if (periodStart && periodEnd && periodEnd < periodStart) return undefined;
  }
  if (!periodStart || !periodEnd) return undefined;
  return { externalSubscriptionId, metricCode, periodStart, periodEnd, value, idempotencyKey };
}
