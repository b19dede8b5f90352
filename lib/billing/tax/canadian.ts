/**
 * Canadian sales tax on an invoice, by the customer's billing province at the tax point date.
 *
 * Rates are data (`CANADIAN_TAX_RATES`): each province lists every tax it levies with the dates the rate applies, so a
 * province's taxes on a date are simply its rows in effect that day. HST provinces have an HST row and no GST row; the
 * others have GST plus any provincial tax (BC PST, MB RST, SK PST, QC QST). A date no row covers is an error, never a
 * guess (the table starts where each province's current regime starts).
 *
 * Rounding: each tax line is the invoice subtotal × rate, rounded half up to the cent on its own (QST is on the subtotal,
 * not on subtotal + GST). The total tax is the sum of the rounded lines.
 */
import { compareDates, isCalendarDate, type CalendarDate } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { registrationsByTaxCode, type SellerTaxRegistrations, type TaxCode } from "./registry";
import { taxAmountCents } from "./rounding";
import { TaxError, type NoTaxReason, type TaxableCustomer, type TaxLine, type TaxRequest, type TaxRules } from "./tax-rules";

export type { SellerTaxRegistrations, TaxCode, TaxableCustomer, TaxLine, NoTaxReason };

export const CANADIAN_PROVINCES = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"] as const;
export type CanadianProvince = (typeof CANADIAN_PROVINCES)[number];

export interface TaxRate {
  jurisdiction: CanadianProvince;
  taxCode: TaxCode;
  name: string;
  /** Percent as a decimal string: "9.975" is 9.975 %. */
  rate: string;
  effectiveFrom: CalendarDate;
  /** Last day the rate applies, inclusive; null while current. */
  effectiveTo: CalendarDate | null;
}

const GST_SINCE = "2008-01-01";

function gst(jurisdiction: CanadianProvince, effectiveFrom: CalendarDate): TaxRate {
  return { jurisdiction, taxCode: "GST", name: "GST", rate: "5", effectiveFrom, effectiveTo: null };
}

export const CANADIAN_TAX_RATES: readonly TaxRate[] = [
  gst("AB", GST_SINCE),
  gst("NT", GST_SINCE),
  gst("NU", GST_SINCE),
  gst("YT", GST_SINCE),
  // BC left the HST on 2013-04-01.
  gst("BC", "2013-04-01"),
  { jurisdiction: "BC", taxCode: "BC_PST", name: "PST", rate: "7", effectiveFrom: "2013-04-01", effectiveTo: null },
  gst("MB", "2019-07-01"),
  { jurisdiction: "MB", taxCode: "MB_RST", name: "RST", rate: "7", effectiveFrom: "2019-07-01", effectiveTo: null },
  gst("SK", "2017-03-23"),
  { jurisdiction: "SK", taxCode: "SK_PST", name: "PST", rate: "6", effectiveFrom: "2017-03-23", effectiveTo: null },
  gst("QC", "2013-01-01"),
  { jurisdiction: "QC", taxCode: "QST", name: "QST", rate: "9.975", effectiveFrom: "2013-01-01", effectiveTo: null },
  { jurisdiction: "ON", taxCode: "HST", name: "HST", rate: "13", effectiveFrom: "2010-07-01", effectiveTo: null },
  { jurisdiction: "NB", taxCode: "HST", name: "HST", rate: "15", effectiveFrom: "2016-07-01", effectiveTo: null },
  { jurisdiction: "NL", taxCode: "HST", name: "HST", rate: "15", effectiveFrom: "2016-07-01", effectiveTo: null },
  { jurisdiction: "PE", taxCode: "HST", name: "HST", rate: "15", effectiveFrom: "2016-10-01", effectiveTo: null },
  { jurisdiction: "NS", taxCode: "HST", name: "HST", rate: "15", effectiveFrom: "2010-07-01", effectiveTo: "2025-03-31" },
  { jurisdiction: "NS", taxCode: "HST", name: "HST", rate: "14", effectiveFrom: "2025-04-01", effectiveTo: null },
];

export interface CanadianTaxInput {
  customer: TaxableCustomer;
  /** Invoice subtotal before tax (negative for a credit). */
  subtotalCents: bigint;
  /** The invoice's tax point (issue or supply date), which picks the rates. */
  taxPointDate: CalendarDate;
  seller: SellerTaxRegistrations;
  /** Defaults to `CANADIAN_TAX_RATES`. */
  rates?: readonly TaxRate[];
}

export type CanadianTaxResult =
  | { taxed: true; province: CanadianProvince; lines: (TaxLine & { code: TaxCode })[]; totalTaxCents: bigint }
  | { taxed: false; reason: NoTaxReason; exemptionNumber: string | null; lines: []; totalTaxCents: bigint };

export type CanadianTaxErrorCode =
  | "missing_country"
  | "missing_province"
  | "unknown_province"
  | "missing_exemption_number"
  | "no_rate_for_date"
  | "invalid_tax_point_date";

export class CanadianTaxError extends TaxError {
  constructor(
    override readonly code: CanadianTaxErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = "CanadianTaxError";
  }
}

function isProvince(code: string): code is CanadianProvince {
  return (CANADIAN_PROVINCES as readonly string[]).includes(code);
}

function blankToNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The rates a province levies on a date (HST, or GST plus any provincial tax). */
export function taxRatesInEffect(
  province: CanadianProvince,
  date: CalendarDate,
  rates: readonly TaxRate[] = CANADIAN_TAX_RATES,
): TaxRate[] {
  return rates.filter(
    (rate) =>
      rate.jurisdiction === province &&
      compareDates(rate.effectiveFrom, date) <= 0 &&
      (rate.effectiveTo === null || compareDates(date, rate.effectiveTo) <= 0),
  );
}

export function computeCanadianTax(input: CanadianTaxInput): CanadianTaxResult {
  return levy(input, registrationsByTaxCode(input.seller));
}

function levy(input: Omit<CanadianTaxInput, "seller">, registrations: Partial<Record<string, string | null>>): CanadianTaxResult {
  const { customer, subtotalCents, taxPointDate } = input;
  if (!isCalendarDate(taxPointDate)) {
    throw new CanadianTaxError("invalid_tax_point_date", `Tax point date is not YYYY-MM-DD: ${JSON.stringify(taxPointDate)}`);
  }
  const country = blankToNull(customer.country)?.toUpperCase();
  if (!country) throw new CanadianTaxError("missing_country", "The customer has no billing country");
  if (country !== "CA") {
    // Services supplied to a non-resident are zero-rated exports.
    return { taxed: false, reason: "customer_outside_canada", exemptionNumber: null, lines: [], totalTaxCents: BigInt(0) };
  }
  if (customer.taxExempt) {
    const exemptionNumber = blankToNull(customer.taxExemptionNumber);
    if (!exemptionNumber) {
      throw new CanadianTaxError("missing_exemption_number", "A tax-exempt customer needs an exemption number on file");
    }
    return { taxed: false, reason: "customer_tax_exempt", exemptionNumber, lines: [], totalTaxCents: BigInt(0) };
  }
  const provinceCode = blankToNull(customer.province)?.toUpperCase();
  if (!provinceCode) throw new CanadianTaxError("missing_province", "A Canadian customer needs a billing province");
  if (!isProvince(provinceCode)) {
    throw new CanadianTaxError("unknown_province", `Not a Canadian province or territory code: ${JSON.stringify(customer.province)}`);
  }
  const inEffect = taxRatesInEffect(provinceCode, taxPointDate, input.rates);
  if (inEffect.length === 0) {
    throw new CanadianTaxError("no_rate_for_date", `No tax rate for ${provinceCode} on ${taxPointDate}`);
  }
  const lines = inEffect.map((taxRate) => {
    const rate = decimal(taxRate.rate);
    return {
      code: taxRate.taxCode,
      name: taxRate.name,
      rate,
      taxableAmountCents: subtotalCents,
      amountCents: taxAmountCents(subtotalCents, taxRate.rate),
      registrationNumber: registrations[taxRate.taxCode] ?? null,
    };
  });
  return {
    taxed: true,
    province: provinceCode,
    lines,
    totalTaxCents: lines.reduce((total, line) => total + line.amountCents, BigInt(0)),
  };
}

/** The Canadian rules behind the tax seam: registrations come keyed by tax code. */
export const canadianTaxRules: TaxRules = {
  id: "canada",
  compute(request: TaxRequest) {
    return levy({ customer: request.customer, subtotalCents: request.taxableCents, taxPointDate: request.taxPointDate }, request.registrations);
  },
};
