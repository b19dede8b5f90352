/**
 * What an invoice or credit-note document shows, already resolved to display values: dates are calendar dates in the
 * customer's timezone (YYYY-MM-DD), money is integer cents with its currency. The invoicing engine builds it from the
 * ledger; the PDF renderer only lays it out.
 */
export interface DocumentParty {
  legalName: string;
  addressLines: string[];
  email?: string | null;
  /** e.g. { label: "GST/HST", number: "123456789 RT0001" } (seller) or { label: "Tax number", … } (customer). */
  registrations: { label: string; number: string }[];
}

export interface DocumentLine {
  description: string;
  /** Decimal string; null for lines without a quantity (a flat fee). */
  quantity: string | null;
  /** Decimal string in major units, e.g. "0.0025"; null when the line is priced by tiers or packages. */
  unitAmount: string | null;
  amountCents: bigint;
  /** Extra lines under the description: service period, included quantity, tier breakdown, proration. */
  details: string[];
}

export interface DocumentTax {
  name: string;
  /** Percent as a decimal string, e.g. "13" or "9.975". */
  ratePercent: string;
  taxableAmountCents: bigint;
  amountCents: bigint;
  registrationNumber: string | null;
}

export interface BillingDocument {
  kind: "invoice" | "credit_note";
  /** INV-2026-000123 / CN-2026-000004; a draft has none. */
  number: string | null;
  status: "draft" | "finalized" | "paid" | "voided" | "issued";
  /** Shadow documents are dual-run copies that were never sent; they are watermarked. */
  shadow: boolean;
  issuingDate: string;
  dueDate: string | null;
  periodStart: string | null;
  periodEnd: string | null;
  currency: string;
  seller: DocumentParty;
  customer: DocumentParty;
  serviceName: string;
  lines: DocumentLine[];
  /** The lines' sum (before coupons). */
  subtotalCents: bigint;
  /** Coupons taken off the subtotal before tax, each by name. */
  discounts?: { description: string; amountCents: bigint }[];
  taxes: DocumentTax[];
  /** Why no tax was charged, when none was (e.g. "Zero-rated: customer outside Canada"). */
  taxNote: string | null;
  creditsAppliedCents: bigint;
  totalCents: bigint;
  /** The customer's credit balance (payments received earlier) applied to this invoice after tax: "Credit applied". */
  creditBalanceAppliedCents?: bigint;
  /** Paid by other means than the credit balance. */
  amountPaidCents: bigint;
  amountDueCents: bigint;
  /** Credit notes: the invoice they credit and the reason. */
  relatedInvoiceNumber?: string | null;
  reason?: string | null;
  notes: string[];
  /** The seller's invoice footer (payment instructions, a thank-you), printed after the notes. */
  footer?: string | null;
  /** The seller's logo (PNG or JPEG bytes), printed above its name. */
  logo?: { data: Buffer; contentType: string } | null;
}
