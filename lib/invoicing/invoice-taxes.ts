import { CanadianTaxError, computeCanadianTax } from "@/lib/billing/canadian-tax";
import type { Customer, CompanyProfile } from "@/lib/generated/prisma/client";
import { DomainError } from "@/lib/errors";
import { sellerRegistrations } from "./company-profile";

export interface InvoiceTaxDraft {
  code: string;
  name: string;
  ratePercent: string;
  taxableAmountCents: bigint;
  amountCents: bigint;
  registrationNumber: string | null;
}

const NO_TAX_NOTES = {
  customer_outside_canada: "Zero-rated: customer outside Canada",
  customer_tax_exempt: "Tax exempt",
} as const;

/** Canadian sales taxes of an invoice subtotal, at the rates in force on the tax point date (issue date). */
export function invoiceTaxes(customer: Pick<Customer, "legalName" | "country" | "province" | "taxExempt" | "taxExemptionNumber">, seller: Omit<CompanyProfile, "updatedAt">, subtotalCents: bigint, taxPointDate: string) {
  try {
    const result = computeCanadianTax({
      customer: { country: customer.country, province: customer.province, taxExempt: customer.taxExempt, taxExemptionNumber: customer.taxExemptionNumber },
      subtotalCents,
      taxPointDate,
      seller: sellerRegistrations(seller),
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
    if (error instanceof CanadianTaxError) {
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
export function taxesForInvoice(invoice: { shadow: boolean }, ...args: Parameters<typeof invoiceTaxes>): ReturnType<typeof invoiceTaxes> {
  try {
    return invoiceTaxes(...args);
  } catch (error) {
    if (!invoice.shadow || !(error instanceof DomainError) || error.code !== "tax_not_computable") throw error;
    return { lines: [], totalCents: BigInt(0), note: `Tax not computed for this shadow invoice: ${error.message}` };
  }
}
