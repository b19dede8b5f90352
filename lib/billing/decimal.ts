import Decimal from "decimal.js";

/**
 * Decimal constructor for billing arithmetic. decimal.js rounds every operation to `precision` significant digits
 * (20 by default); 50 keeps Decimal(38,12) database values and their products exact. Instances interoperate with plain
 * `Decimal` values; results take this precision when the left operand was created here, so modules convert inputs with
 * `decimal()` before computing.
 */
export const BillingDecimal = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -50, toExpPos: 50 });

/** Converts a value to a billing-precision Decimal. Numbers are read through their shortest string form. */
export function decimal(value: Decimal.Value): Decimal {
  if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  const result = new BillingDecimal(value);
  if (!result.isFinite()) throw new RangeError(`Not a finite decimal: ${String(value)}`);
  return result;
}

const DECIMAL_TEXT = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** Parses plain decimal notation ("12", "-0.5", "1e3"); null for anything else (hex, "NaN", "Infinity", blanks). */
export function parseDecimal(text: string): Decimal | null {
  return DECIMAL_TEXT.test(text) ? new BillingDecimal(text) : null;
}

export const ZERO: Decimal = new BillingDecimal(0);

export { Decimal };
