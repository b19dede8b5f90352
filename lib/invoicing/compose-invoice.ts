import { decimal } from "@/lib/billing/decimal";
import { scaleCents } from "@/lib/billing/money";
import type { InvoiceTaxes } from "@/lib/billing/tax/invoice-taxes";

/**
 * The one invoice composition: lines → credits → discounts → taxes → totals. Pure (no database, no clock): the period
 * close, a draft's refresh, `current_usage`, the portal's usage and credit notes all compute their amounts here, so
 * they cannot drift apart.
 *
 * - Credits (pre-tax credits: the amount already billed by progressive billing) come off the lines' subtotal first,
 *   each at most what is left, as Lago deducts them before coupons: a coupon never discounts usage already billed.
 * - Discounts (coupons) come off what the credits left, in the order given, each at most what is left; a percentage is
 *   of what is still left when it applies, rounded half up to the cent.
 * - Taxes are computed on what remains (the taxable amount), by the caller's tax function (lib/billing/tax/).
 * Post-tax settlement (a customer's credit balance, payments) is not composition: `issue()` consumes balances.
 */
export interface ComposableLine {
  amountCents: bigint;
}

export type Discount =
  | { code: string; description: string; kind: "fixed_amount"; amountCents: bigint }
  | { code: string; description: string; kind: "percentage"; percent: string };

export interface Credit {
  code: string;
  description: string;
  amountCents: bigint;
}

export interface AppliedAmount {
  code: string;
  description: string;
  amountCents: bigint;
}

export interface InvoiceComposition<L extends ComposableLine> {
  lines: L[];
  /** Sum of the lines. */
  subtotalCents: bigint;
  discounts: AppliedAmount[];
  discountsCents: bigint;
  credits: AppliedAmount[];
  creditsCents: bigint;
  /** What taxes are computed on: subtotal − discounts − credits (never below zero when the subtotal is not). */
  taxableCents: bigint;
  taxes: InvoiceTaxes["lines"];
  taxesCents: bigint;
  taxNote: string | null;
  /** taxable + taxes: what the document is for, before any credit balance or payment. */
  totalCents: bigint;
}

export interface CompositionInput<L extends ComposableLine> {
  lines: L[];
  discounts?: readonly Discount[];
  credits?: readonly Credit[];
  taxes: (taxableCents: bigint) => InvoiceTaxes;
}

const ZERO = BigInt(0);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

export function composeInvoice<L extends ComposableLine>(input: CompositionInput<L>): InvoiceComposition<L> {
  let subtotalCents = ZERO;
  for (const line of input.lines) subtotalCents += line.amountCents;

  let left = subtotalCents;
  const credits: AppliedAmount[] = [];
  for (const credit of input.credits ?? []) {
    if (credit.amountCents < ZERO) throw new RangeError(`Credit ${credit.code} is negative`);
    const amountCents = left > ZERO ? min(credit.amountCents, left) : ZERO;
    credits.push({ code: credit.code, description: credit.description, amountCents });
    left -= amountCents;
  }
  const discounts: AppliedAmount[] = [];
  for (const discount of input.discounts ?? []) {
    if (discount.kind === "fixed_amount" && discount.amountCents < ZERO) throw new RangeError(`Discount ${discount.code} is negative`);
    const wanted = discount.kind === "fixed_amount" ? discount.amountCents : scaleCents(left, decimal(discount.percent).div(100));
    const amountCents = left > ZERO ? min(wanted, left) : ZERO;
    discounts.push({ code: discount.code, description: discount.description, amountCents });
    left -= amountCents;
  }
  const taxableCents = left;
  const taxes = input.taxes(taxableCents);
  return {
    lines: input.lines,
    subtotalCents,
    discounts,
    discountsCents: discounts.reduce((sum, d) => sum + d.amountCents, ZERO),
    credits,
    creditsCents: credits.reduce((sum, c) => sum + c.amountCents, ZERO),
    taxableCents,
    taxes: taxes.lines,
    taxesCents: taxes.totalCents,
    taxNote: taxes.note,
    totalCents: taxableCents + taxes.totalCents,
  };
}
