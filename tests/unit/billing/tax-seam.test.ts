import { describe, expect, it } from "vitest";
import { decimal } from "@/lib/billing/decimal";
import { invoiceTaxes, sellerTaxRules } from "@/lib/billing/tax/invoice-taxes";
import { registrationsByTaxCode, TAX_CODES, isTaxCode } from "@/lib/billing/tax/registry";
import { taxAmountCents } from "@/lib/billing/tax/rounding";
import type { TaxRules } from "@/lib/billing/tax/tax-rules";
import { creditedTaxes } from "@/lib/invoicing/credit-notes";
import { CANADIAN_TAX_RATES } from "@/lib/billing/tax/canadian";

const seller = { gstHstNumber: "123456789RT0001", qstNumber: "1234567890TQ0001", bcPstNumber: null, mbRstNumber: " ", skPstNumber: "7654321" };
const quebec = { legalName: "Client QC", country: "CA", province: "QC", taxExempt: false, taxExemptionNumber: null };

describe("tax seam", () => {
  it("registers every tax code the Canadian rates levy, with the seller registration printed beside it", () => {
    for (const rate of CANADIAN_TAX_RATES) expect(isTaxCode(rate.taxCode)).toBe(true);
    expect(registrationsByTaxCode({ gstHst: "G", qst: "Q", bcPst: "", mbRst: null, skPst: " S " })).toEqual({ GST: "G", HST: "G", QST: "Q", BC_PST: null, MB_RST: null, SK_PST: "S" });
    expect(Object.keys(TAX_CODES).sort()).toEqual(["BC_PST", "GST", "HST", "MB_RST", "QST", "SK_PST"]);
  });

  it("computes an invoice's taxes through the rules interface (Canadian rules by default)", () => {
    const taxes = invoiceTaxes(quebec, seller, 10_001n, "2026-06-15");
    expect(taxes.lines.map((l) => [l.code, l.ratePercent, l.amountCents, l.registrationNumber])).toEqual([
      ["GST", "5", 500n, "123456789RT0001"],
      ["QST", "9.975", 998n, "1234567890TQ0001"],
    ]);
    expect(taxes.totalCents).toBe(1498n);
    expect(sellerTaxRules.id).toBe("canada");
  });

  it("takes another implementation of the rules without touching the invoice code", () => {
    const flat: TaxRules = {
      id: "flat",
      compute: (r) => ({ taxed: true, lines: [{ code: "VAT", name: "VAT", rate: decimal(20), taxableAmountCents: r.taxableCents, amountCents: taxAmountCents(r.taxableCents, "20"), registrationNumber: r.registrations.VAT ?? null }], totalTaxCents: taxAmountCents(r.taxableCents, "20") }),
    };
    expect(invoiceTaxes(quebec, seller, 1_003n, "2026-06-15", flat)).toEqual({ lines: [{ code: "VAT", name: "VAT", ratePercent: "20", taxableAmountCents: 1_003n, amountCents: 201n, registrationNumber: null }], totalCents: 201n, note: null });
  });

  it("refuses a customer the rules cannot tax with a machine-readable code", () => {
    expect(() => invoiceTaxes({ ...quebec, province: null }, seller, 100n, "2026-06-15")).toThrow(expect.objectContaining({ code: "tax_not_computable" }));
  });

  it("rounds half up per line, and a credit note crediting the whole invoice gives back exactly its tax", () => {
    expect(taxAmountCents(10n, "5")).toBe(1n); // 0.5 cent → 1
    expect(taxAmountCents(-10n, "5")).toBe(-1n);
    expect(taxAmountCents(333n, "9.975")).toBe(33n);
    for (const subtotal of [1n, 99n, 10_001n, 123_457n]) {
      const invoice = invoiceTaxes(quebec, seller, subtotal, "2026-06-15");
      const credited = creditedTaxes(subtotal, invoice.lines.map((l) => ({ rate: l.ratePercent })));
      expect(credited.map((c) => c.amountCents)).toEqual(invoice.lines.map((l) => l.amountCents));
    }
  });
});
