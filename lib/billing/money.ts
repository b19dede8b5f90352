/**
 * Money: integer minor units (`bigint` cents) for every stored or invoiced amount; exact `Decimal` values in major units
 * (dollars) while an amount is being computed.
 *
 * Rounding rule: an exact amount becomes cents exactly once, at the end of an invoice line, by rounding half up — ties go
 * away from zero (12.345 → 12.35, −12.345 → −12.35), everything else to the nearest cent. Currencies are assumed to have
 * two decimal places (CAD, USD, EUR).
 */
import { BillingDecimal, decimal, type Decimal } from "./decimal";

const CENTS_PER_UNIT = 100;

/** Rounds an exact amount in major units to cents, half up (away from zero). */
export function roundToCents(amount: Decimal): bigint {
  const cents = decimal(amount).mul(CENTS_PER_UNIT).toDecimalPlaces(0, BillingDecimal.ROUND_HALF_UP);
  return BigInt(cents.toFixed(0));
}

/** Cents as an exact amount in major units (1999n → 19.99). */
export function centsToDecimal(cents: bigint): Decimal {
  return decimal(cents).div(CENTS_PER_UNIT);
}

/** Converts an amount that is already whole cents; throws rather than silently round a sub-cent amount. */
export function decimalToCents(amount: Decimal): bigint {
  const cents = decimal(amount).mul(CENTS_PER_UNIT);
  if (!cents.isInteger()) throw new RangeError(`${amount.toString()} is not a whole number of cents`);
  return BigInt(cents.toFixed(0));
}

/** cents × factor, rounded once with the rounding rule (charge minimums, coupon percentages, one-off units). */
export function scaleCents(cents: bigint, factor: Decimal): bigint {
  return roundToCents(centsToDecimal(cents).mul(factor));
}

/** cents × b / c with the rounding rule (half up), exactly in integers: a pro-rata share of an amount. For positive c. */
export function mulDivHalfUp(cents: bigint, b: bigint, c: bigint): bigint {
  return divideHalfUp(cents * b, c);
}

/** n ÷ d for a positive d, rounded with the rounding rule: half up, ties away from zero (−5 ÷ 2 → −3). */
export function divideHalfUp(n: bigint, d: bigint): bigint {
  const quotient = n / d;
  const remainder = n % d;
  if (BigInt(2) * (remainder < BigInt(0) ? -remainder : remainder) < d) return quotient;
  return n < BigInt(0) ? quotient - BigInt(1) : quotient + BigInt(1);
}

export function sumCents(values: Iterable<bigint>): bigint {
  let total = BigInt(0);
  for (const value of values) total += value;
  return total;
}

/** Exact sum of major-unit amounts (no rounding). */
export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = decimal(0);
  for (const value of values) total = total.plus(value);
  return total;
}

export type AmountTextError = "invalid_amount" | "too_many_decimals" | "value_is_out_of_range";

const AMOUNT_TEXT = /^(\d*)(?:\.(\d+))?$/;
const MAX_CENTS = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Reads a non-negative amount typed in major units ("10", "10.5", "1234.56") as cents, from the digits themselves so no
 * float is ever involved. More than two decimals is refused rather than rounded: the person typing meant something else.
 */
export function parseAmountToCents(text: string): { ok: true; cents: bigint } | { ok: false; error: AmountTextError } {
  const match = AMOUNT_TEXT.exec(text.trim());
  if (!match || (match[1] === "" && match[2] === undefined)) return { ok: false, error: "invalid_amount" };
  const fraction = match[2] ?? "";
  if (fraction.length > 2) return { ok: false, error: "too_many_decimals" };
  const cents = BigInt(match[1] || "0") * BigInt(CENTS_PER_UNIT) + BigInt(fraction.padEnd(2, "0"));
  if (cents > MAX_CENTS) return { ok: false, error: "value_is_out_of_range" };
  return { ok: true, cents };
}
