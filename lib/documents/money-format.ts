/**
 * Exact number formatting for billing documents: money from integer cents (`bigint`), unit prices, quantities and tax
 * rates from decimal strings. Nothing here goes through floating point, so every digit printed is the digit stored.
 *
 * Currency display (Canadian English): CAD "$1,234.56", USD "$1,234.56 USD", anything else "1,234.56 EUR"; negative
 * amounts take a leading minus ("-$1,234.56"). Currencies are assumed to have two decimal places, like the ledger.
 */

const THOUSANDS = /\B(?=(\d{3})+(?!\d))/g;
/** Optional sign, digits with an optional fraction, optional exponent (decimal.js writes 1e-7 for 0.0000001). */
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;
const MAX_EXPONENT = 1000;

function groupThousands(digits: string): string {
  return digits.replace(THOUSANDS, ",");
}

function withCurrency(amount: string, currency: string, negative: boolean): string {
  const code = currency.trim().toUpperCase();
  const text = code === "CAD" ? `$${amount}` : code === "USD" ? `$${amount} USD` : `${amount} ${code}`;
  return negative ? `-${text}` : text;
}

/** Integer cents as money: formatMoney(123456n, "CAD") → "$1,234.56". */
export function formatMoney(cents: bigint, currency: string): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = groupThousands((abs / 100n).toString());
  const fraction = (abs % 100n).toString().padStart(2, "0");
  return withCurrency(`${whole}.${fraction}`, currency, negative);
}

export interface DecimalParts {
  negative: boolean;
  /** Integer digits without leading zeros ("0" for none). */
  integer: string;
  /** Fraction digits without trailing zeros ("" for none). */
  fraction: string;
}

/** Splits a decimal string ("-1234.5000", "0.0025", "1e-7") into exact digit strings. Throws RangeError otherwise. */
export function parseDecimalText(value: string): DecimalParts {
  const match = DECIMAL_TEXT.exec(value.trim());
  const integerDigits = match?.[2] ?? "";
  const fractionDigits = match?.[3] ?? "";
  if (!match || (integerDigits === "" && fractionDigits === "")) {
    throw new RangeError(`Not a decimal number: ${JSON.stringify(value)}`);
  }
  const exponent = Number(match[4] ?? "0");
  if (Math.abs(exponent) > MAX_EXPONENT) {
    throw new RangeError(`Decimal exponent out of range: ${JSON.stringify(value)}`);
  }
  let digits = integerDigits + fractionDigits;
  let point = integerDigits.length + exponent;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) {
    digits += "0".repeat(point - digits.length);
  }
  const integer = digits.slice(0, point).replace(/^0+/, "") || "0";
  const fraction = digits.slice(point).replace(/0+$/, "");
  const negative = match[1] === "-" && /[1-9]/.test(digits);
  return { negative, integer, fraction };
}

function formatParts({ integer, fraction }: DecimalParts, minFractionDigits: number): string {
  const digits = fraction.padEnd(minFractionDigits, "0");
  return digits ? `${groupThousands(integer)}.${digits}` : groupThousands(integer);
}

/** A decimal string with thousands separators and no trailing zeros: "1500.000000" → "1,500", "2.50" → "2.5". */
export function formatDecimal(value: string): string {
  const parts = parseDecimalText(value);
  const text = formatParts(parts, 0);
  return parts.negative ? `-${text}` : text;
}

/** A quantity as printed on a line. */
export const formatQuantity = formatDecimal;

/**
 * A unit price in major units, at least two decimals and every significant digit beyond: "0.0025" → "$0.0025",
 * "12" → "$12.00".
 */
export function formatUnitAmount(value: string, currency: string): string {
  const parts = parseDecimalText(value);
  return withCurrency(formatParts(parts, 2), currency, parts.negative);
}

/** A tax rate given in percent: "13.000000" → "13%", "9.975" → "9.975%". */
export function formatPercent(value: string): string {
  return `${formatDecimal(value)}%`;
}
