import { describe, expect, it } from "vitest";
import { invoiceTaxes } from "@/lib/billing/tax/invoice-taxes";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";

const seller = { gstHstNumber: "123456789RT0001", qstNumber: "1234567890TQ0001", bcPstNumber: null, mbRstNumber: null, skPstNumber: null };
const quebec = { legalName: "Client QC", country: "CA", province: "QC", taxExempt: false, taxExemptionNumber: null };
const quebecTaxes = (taxable: bigint) => invoiceTaxes(quebec, seller, taxable, "2026-11-01");
const lines = [{ amountCents: 5000n }, { amountCents: 1234n }];

describe("composeInvoice: lines → credits → discounts → taxes → totals", () => {
  it("with no discount or credit, taxes the subtotal (what every invoice does today)", () => {
    const c = composeInvoice({ lines, taxes: quebecTaxes });
    expect(c).toMatchObject({ subtotalCents: 6234n, discountsCents: 0n, creditsCents: 0n, taxableCents: 6234n, taxesCents: 312n + 622n, totalCents: 6234n + 934n, taxNote: null });
    expect(c.taxes.map((t) => [t.code, t.amountCents])).toEqual([["GST", 312n], ["QST", 622n]]);
    expect(c.lines).toBe(lines);
  });

  it("takes credits before discounts (as Lago) and both before tax, a percentage of what is left, half up", () => {
    const c = composeInvoice({
      lines,
      discounts: [
        { code: "WELCOME", description: "$10 off", kind: "fixed_amount", amountCents: 1000n },
        { code: "TENPCT", description: "10 %", kind: "percentage", percent: "10" },
      ],
      credits: [{ code: "PROGRESSIVE", description: "Already billed", amountCents: 2000n }],
      taxes: quebecTaxes,
    });
    // 6234 − 2000 (already billed) = 4234; − 1000 = 3234; 10 % of 3234 = 323.4 → 323; 2911 taxable;
    // GST 5 % = 145.55 → 146, QST 9.975 % = 290.37 → 290.
    expect(c.discounts.map((d) => d.amountCents)).toEqual([1000n, 323n]);
    expect(c).toMatchObject({ discountsCents: 1323n, creditsCents: 2000n, taxableCents: 2911n, taxesCents: 436n, totalCents: 3347n });
  });

  it("never takes more than is left: credits and discounts stop at zero, and zero is taxed as zero", () => {
    const c = composeInvoice({
      lines,
      discounts: [{ code: "BIG", description: "big", kind: "fixed_amount", amountCents: 6000n }],
      credits: [{ code: "A", description: "a", amountCents: 500n }, { code: "B", description: "b", amountCents: 500n }],
      taxes: quebecTaxes,
    });
    expect(c.credits.map((x) => x.amountCents)).toEqual([500n, 500n]);
    expect(c.discounts[0].amountCents).toBe(5234n);
    expect(c).toMatchObject({ taxableCents: 0n, taxesCents: 0n, totalCents: 0n });
  });

  it("refuses negative discounts or credits instead of adding to the bill", () => {
    expect(() => composeInvoice({ lines, discounts: [{ code: "X", description: "x", kind: "fixed_amount", amountCents: -1n }], taxes: quebecTaxes })).toThrow(RangeError);
    expect(() => composeInvoice({ lines, credits: [{ code: "X", description: "x", amountCents: -1n }], taxes: quebecTaxes })).toThrow(RangeError);
  });

  it("is pure: the same input gives the same composition, the tax function sees only the taxable amount", () => {
    const seen: bigint[] = [];
    const tax = (t: bigint) => (seen.push(t), quebecTaxes(t));
    expect(composeInvoice({ lines, taxes: tax })).toEqual(composeInvoice({ lines, taxes: tax }));
    expect(seen).toEqual([6234n, 6234n]);
  });
});
