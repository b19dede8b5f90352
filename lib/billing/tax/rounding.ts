import { decimal, type Decimal } from "@/lib/billing/decimal";
import { scaleCents } from "@/lib/billing/money";

/**
 * The one tax rounding rule, shared by invoices and credit notes: a tax line is its taxable amount × rate, rounded half
 * up (away from zero) to the cent on its own; a document's tax is the sum of its rounded lines. A credit note credits
 * each tax of its invoice with this same function, so crediting a whole invoice gives back exactly its tax.
 */
export function taxAmountCents(taxableCents: bigint, ratePercent: Decimal | string): bigint {
  return scaleCents(taxableCents, decimal(ratePercent.toString()).div(100));
}
