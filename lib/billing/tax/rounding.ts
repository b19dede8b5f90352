import { decimal, type Decimal } from "@/lib/billing/decimal";
import { divideHalfUp } from "@/lib/billing/money";

/**
 * The one tax rounding rule, shared by invoices and credit notes: a tax line is its taxable amount × rate, rounded half
 * up (away from zero) to the cent on its own; a document's tax is the sum of its rounded lines. A credit note credits
 * each tax of its invoice with this same function, so crediting a whole invoice gives back exactly its tax.
 *
 * Computed in integers: the rate in percent is an integer over a power of ten ("9.975" → 9975 / 1000), so
 * cents × rate ÷ 100 is one exact division, rounded once. The period close taxes every invoice through here.
 */
export function taxAmountCents(taxableCents: bigint, ratePercent: Decimal | string): bigint {
  const { numerator, denominator } = rateFraction(ratePercent.toString());
  return divideHalfUp(taxableCents * numerator, denominator);
}

interface RateFraction { numerator: bigint; denominator: bigint }

/** Rates are few (the tax tables', and those stored on issued invoices): each text is read once. */
const fractions = new Map<string, RateFraction>();
const MAX_REMEMBERED_RATES = 1000;

function rateFraction(ratePercent: string): RateFraction {
  let fraction = fractions.get(ratePercent);
  if (fraction) return fraction;
  // decimal() validates the text; toFixed() writes it in plain notation ("1e1" → "10", "-0.5" → "-0.5").
  const [whole, decimals = ""] = decimal(ratePercent).toFixed().split(".");
  fraction = { numerator: BigInt(whole + decimals), denominator: BigInt(100) * BigInt(10) ** BigInt(decimals.length) };
  if (fractions.size >= MAX_REMEMBERED_RATES) fractions.clear();
  fractions.set(ratePercent, fraction);
  return fraction;
}
