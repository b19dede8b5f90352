/**
 * Tax codes this system can levy, each registered once: its printed name and which of the seller's registrations is
 * printed beside it. A new tax (another province's, another country's) is one entry here plus the rules that levy it.
 */
export const TAX_CODES = {
  GST: { name: "GST", sellerRegistration: "gstHst" },
  HST: { name: "HST", sellerRegistration: "gstHst" },
  QST: { name: "QST", sellerRegistration: "qst" },
  BC_PST: { name: "PST", sellerRegistration: "bcPst" },
  MB_RST: { name: "RST", sellerRegistration: "mbRst" },
  SK_PST: { name: "PST", sellerRegistration: "skPst" },
} as const satisfies Record<string, { name: string; sellerRegistration: keyof SellerTaxRegistrations }>;

export type TaxCode = keyof typeof TAX_CODES;

/** The seller's registration numbers (company profile), printed on each tax line. */
export interface SellerTaxRegistrations {
  /** GST/HST business number (e.g. "123456789RT0001"). */
  gstHst?: string | null;
  qst?: string | null;
  bcPst?: string | null;
  mbRst?: string | null;
  skPst?: string | null;
}

export function isTaxCode(code: string): code is TaxCode {
  return Object.hasOwn(TAX_CODES, code);
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The seller's registrations keyed by tax code (null where the seller is not registered for it). */
export function registrationsByTaxCode(seller: SellerTaxRegistrations): Record<TaxCode, string | null> {
  return Object.fromEntries(
    Object.entries(TAX_CODES).map(([code, def]) => [code, blankToNull(seller[def.sellerRegistration])]),
  ) as Record<TaxCode, string | null>;
}
