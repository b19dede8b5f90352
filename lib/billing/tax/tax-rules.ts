import type { CalendarDate } from "@/lib/billing/calendar-date";
import type { Decimal } from "@/lib/billing/decimal";

/**
 * The tax seam. A set of tax rules (a country's regime) decides, for one customer and one taxable amount on a tax point
 * date, which taxes apply; each tax it levies is a tax code registered in ./registry.ts (its name, and the seller
 * registration printed beside it). The Canadian rules (./canadian.ts) are the first implementation.
 */
export interface TaxableCustomer {
  /** ISO 3166-1 alpha-2. */
  country: string | null;
  /** Province, territory or state code ("ON", "QC", …). */
  province: string | null;
  taxExempt: boolean;
  taxExemptionNumber?: string | null;
}

export interface TaxLine {
  code: string;
  name: string;
  /** Percent: 13 is 13 %. */
  rate: Decimal;
  taxableAmountCents: bigint;
  amountCents: bigint;
  registrationNumber: string | null;
}

export type NoTaxReason = "customer_outside_canada" | "customer_tax_exempt";

export type TaxOutcome =
  | { taxed: true; lines: TaxLine[]; totalTaxCents: bigint }
  | { taxed: false; reason: NoTaxReason; exemptionNumber: string | null; lines: []; totalTaxCents: bigint };

export interface TaxRequest {
  customer: TaxableCustomer;
  /** Amount before tax (negative for a credit). */
  taxableCents: bigint;
  /** The document's tax point (issue or supply date), which picks the rates. */
  taxPointDate: CalendarDate;
  /** The seller's registration number for each tax code it is registered for. */
  registrations: Partial<Record<string, string | null>>;
}

/** A tax the rules cannot compute (missing province, no rate for the date…): the caller decides how to report it. */
export class TaxError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "TaxError";
  }
}

export interface TaxRules {
  /** Short name of the regime, e.g. "canada". */
  readonly id: string;
  compute(request: TaxRequest): TaxOutcome;
}
