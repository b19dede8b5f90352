import { z } from "zod";
import { parseDecimal } from "@/lib/billing/decimal";
import { parseAmountToCents } from "@/lib/billing/money";

/**
 * zod pieces for reading HTML form inputs, which are all strings: an empty input means "none", an unchecked checkbox is
 * absent. Messages are validation codes that form-state.ts puts in words.
 */
export const requiredText = (max = 255) =>
  z.string({ error: "value_is_mandatory" }).trim().min(1, "value_is_mandatory").max(max, "value_is_too_long");

/** Empty (or absent) becomes null. */
export const textOrNull = (max = 255) =>
  z.string().trim().max(max, "value_is_too_long").optional().transform((v) => v || null);

export const checkbox = z.string().optional().transform((v) => v === "on");

/** A non-negative decimal kept as the typed string (charge amounts are stored as decimal strings, never floats). */
export const decimalText = (code = "invalid_amount") =>
  z.string({ error: code }).trim().refine((v) => {
    const parsed = parseDecimal(v);
    return parsed !== null && !parsed.isNegative();
  }, code);

export const wholeNumber = (code: string, min = 0) =>
  z
    .string({ error: code })
    .trim()
    .regex(/^\d{1,15}$/, code)
    .transform(Number)
    .refine((n) => n >= min, code);

/** An amount typed in dollars, as integer cents: at most two decimals, no float anywhere. */
export const dollarsAsCents = z.string({ error: "invalid_amount" }).transform((text, ctx) => {
  const parsed = parseAmountToCents(text);
  if (parsed.ok) return parsed.cents;
  ctx.addIssue({ code: "custom", message: parsed.error });
  return z.NEVER;
});

export const uuid = z.uuid({ error: "value_is_invalid" });
