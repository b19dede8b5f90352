import type { CalendarDate } from "@/lib/billing/calendar-date";
import { DomainError } from "@/lib/errors";
import type { CompanyProfile, Customer } from "@/lib/generated/prisma/client";
import { canadianTaxRules } from "./canadian";
import { registrationsByTaxCode } from "./registry";
import { TaxError, type TaxRules } from "./tax-rules";

export interface InvoiceTaxDraft {
  code: string;
  name: string;
  ratePercent: string;
  taxableAmountCents: bigint;
  amountCents: bigint;
  registrationNumber: string | null;
}

export interface InvoiceTaxes {
  lines: InvoiceTaxDraft[];
  totalCents: bigint;
  /** Why nothing was taxed (zero-rated export, exemption), printed on the invoice. */
  note: string | null;
}

/** The rules of the seller's tax regime: the company sells from Canada, so the Canadian rules decide every sale. */
export const sellerTaxRules: TaxRules = canadianTaxRules;

const NO_TAX_NOTES = {
  customer_outside_canada: "Zero-rated: customer outside Canada",
  customer_tax_exempt: "Tax exempt",
} as const;

type SellerRegistrationFields = Pick<CompanyProfile, "gstHstNumber" | "qstNumber" | "bcPstNumber" | "mbRstNumber" | "skPstNumber">;
export type TaxedCustomer = Pick<Customer, "legalName" | "country" | "province" | "taxExempt" | "taxExemptionNumber">;

/**
 * The seller's registrations by tax code, read once per seller record (a company profile as loaded, never changed in
 * place): a period close taxes every invoice with one.
 */
const registrationsOfSeller = new WeakMap<SellerRegistrationFields, ReturnType<typeof registrationsByTaxCode>>();
function registrationsOf(seller: SellerRegistrationFields) {
  let registrations = registrationsOfSeller.get(seller);
  if (!registrations) {
    registrations = registrationsByTaxCode({ gstHst: seller.gstHstNumber, qst: seller.qstNumber, bcPst: seller.bcPstNumber, mbRst: seller.mbRstNumber, skPst: seller.skPstNumber });
    registrationsOfSeller.set(seller, registrations);
  }
  return registrations;
}

/** Sales taxes of an amount before tax, at the rates in force on the tax point date (issue date). */
export function invoiceTaxes(customer: TaxedCustomer, seller: SellerRegistrationFields, taxableCents: bigint, taxPointDate: CalendarDate, rules: TaxRules = sellerTaxRules): InvoiceTaxes {
  try {
    const result = rules.compute({
      customer: { country: customer.country, province: customer.province, taxExempt: customer.taxExempt, taxExemptionNumber: customer.taxExemptionNumber },
      taxableCents,
      taxPointDate,
      registrations: registrationsOf(seller),
    });
    const lines: InvoiceTaxDraft[] = result.lines.map((line) => ({
      code: line.code,
      name: line.name,
      ratePercent: line.rate.toString(),
      taxableAmountCents: line.taxableAmountCents,
      amountCents: line.amountCents,
      registrationNumber: line.registrationNumber,
    }));
    const note = result.taxed
      ? null
      : result.reason === "customer_tax_exempt"
        ? `${NO_TAX_NOTES.customer_tax_exempt} (exemption ${result.exemptionNumber})`
        : NO_TAX_NOTES[result.reason];
    return { lines, totalCents: result.totalTaxCents, note };
  } catch (error) {
    if (error instanceof TaxError) {
      throw new DomainError("invalid", "tax_not_computable", { customer: [error.code] }, `Cannot tax customer ${customer.legalName}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Taxes of an invoice being written or refreshed. Imported (dual-run) accounts may lack what Canadian tax needs (a
 * province); their shadow invoices are still computed — the dual-run compares amounts before tax — with no tax and a
 * note saying why, instead of failing the billing run (or a refresh) for them every time. Live invoices are refused.
 */
export function taxesForInvoice(invoice: { shadow: boolean }, ...args: Parameters<typeof invoiceTaxes>): InvoiceTaxes {
  try {
    return invoiceTaxes(...args);
  } catch (error) {
    if (!invoice.shadow || !(error instanceof DomainError) || error.code !== "tax_not_computable") throw error;
    return { lines: [], totalCents: BigInt(0), note: `Tax not computed for this shadow invoice: ${error.message}` };
  }
}
