import { describe, expect, it } from "vitest";
import {
  CANADIAN_PROVINCES,
  CANADIAN_TAX_RATES,
  CanadianTaxError,
  computeCanadianTax,
  taxRatesInEffect,
  type CanadianTaxInput,
  type CanadianTaxResult,
  type SellerTaxRegistrations,
  type TaxableCustomer,
} from "@/lib/billing/tax/canadian";

const seller: SellerTaxRegistrations = {
  gstHst: "123456789RT0001",
  qst: "1234567890TQ0001",
  bcPst: "PST-1234-5678",
  mbRst: "123456-7",
  skPst: "7654321",
};

function customer(overrides: Partial<TaxableCustomer> = {}): TaxableCustomer {
  return { country: "CA", province: "ON", taxExempt: false, taxExemptionNumber: null, ...overrides };
}

function tax(overrides: Partial<TaxableCustomer> = {}, input: Partial<CanadianTaxInput> = {}): CanadianTaxResult {
  return computeCanadianTax({ customer: customer(overrides), subtotalCents: 10000n, taxPointDate: "2026-06-15", seller, ...input });
}

function lines(result: CanadianTaxResult) {
  return result.lines.map((line) => ({
    code: line.code,
    name: line.name,
    rate: line.rate.toString(),
    taxable: line.taxableAmountCents,
    amount: line.amountCents,
    registration: line.registrationNumber,
  }));
}

function taxError(run: () => unknown): CanadianTaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof CanadianTaxError) return error;
    throw error;
  }
  throw new Error("expected a CanadianTaxError");
}

const GST_LINE = { code: "GST", name: "GST", rate: "5", taxable: 10000n, amount: 500n, registration: seller.gstHst };

describe("computeCanadianTax — provinces and territories", () => {
  it.each(["AB", "NT", "NU", "YT"])("charges GST only in %s", (province) => {
    const result = tax({ province });
    expect(lines(result)).toEqual([GST_LINE]);
    expect(result.totalTaxCents).toBe(500n);
  });

  it("charges GST and BC PST in British Columbia", () => {
    const result = tax({ province: "BC" });
    expect(lines(result)).toEqual([
      GST_LINE,
      { code: "BC_PST", name: "PST", rate: "7", taxable: 10000n, amount: 700n, registration: seller.bcPst },
    ]);
    expect(result.totalTaxCents).toBe(1200n);
  });

  it("charges GST and RST in Manitoba", () => {
    const result = tax({ province: "MB" });
    expect(lines(result)).toEqual([
      GST_LINE,
      { code: "MB_RST", name: "RST", rate: "7", taxable: 10000n, amount: 700n, registration: seller.mbRst },
    ]);
    expect(result.totalTaxCents).toBe(1200n);
  });

  it("charges GST and PST in Saskatchewan", () => {
    const result = tax({ province: "SK" });
    expect(lines(result)).toEqual([
      GST_LINE,
      { code: "SK_PST", name: "PST", rate: "6", taxable: 10000n, amount: 600n, registration: seller.skPst },
    ]);
    expect(result.totalTaxCents).toBe(1100n);
  });

  it("charges GST and QST in Quebec, QST on the subtotal and rounded half up", () => {
    const result = tax({ province: "QC" });
    expect(lines(result)).toEqual([
      GST_LINE,
      { code: "QST", name: "QST", rate: "9.975", taxable: 10000n, amount: 998n, registration: seller.qst }, // 9.975 exactly
    ]);
    expect(result.totalTaxCents).toBe(1498n);
  });

  it("charges 13 % HST in Ontario, with no separate GST line", () => {
    const result = tax({ province: "ON" });
    expect(lines(result)).toEqual([{ code: "HST", name: "HST", rate: "13", taxable: 10000n, amount: 1300n, registration: seller.gstHst }]);
    expect(result).toMatchObject({ taxed: true, province: "ON", totalTaxCents: 1300n });
  });

  it.each(["NB", "NL", "PE"])("charges 15 %% HST in %s", (province) => {
    const result = tax({ province });
    expect(lines(result)).toEqual([{ code: "HST", name: "HST", rate: "15", taxable: 10000n, amount: 1500n, registration: seller.gstHst }]);
  });

  it("charges Nova Scotia 15 % HST up to 2025-03-31 and 14 % from 2025-04-01", () => {
    expect(lines(tax({ province: "NS" }, { taxPointDate: "2025-03-31" }))).toEqual([
      { code: "HST", name: "HST", rate: "15", taxable: 10000n, amount: 1500n, registration: seller.gstHst },
    ]);
    expect(lines(tax({ province: "NS" }, { taxPointDate: "2025-04-01" }))).toEqual([
      { code: "HST", name: "HST", rate: "14", taxable: 10000n, amount: 1400n, registration: seller.gstHst },
    ]);
  });
});

describe("computeCanadianTax — rounding", () => {
  it("rounds each line on its own, half up", () => {
    const result = tax({ province: "QC" }, { subtotalCents: 1999n });
    expect(result.lines.map((line) => line.amountCents)).toEqual([100n, 199n]); // 99.95 → 100, 199.40025 → 199
    expect(result.totalTaxCents).toBe(299n);
    expect(tax({ province: "AB" }, { subtotalCents: 10n }).totalTaxCents).toBe(1n); // 0.5 cent
    expect(tax({ province: "AB" }, { subtotalCents: 9n }).totalTaxCents).toBe(0n); // 0.45 cent
  });

  it("taxes a credit symmetrically", () => {
    expect(tax({ province: "ON" }, { subtotalCents: -10000n }).totalTaxCents).toBe(-1300n);
    expect(tax({ province: "AB" }, { subtotalCents: -10n }).totalTaxCents).toBe(-1n);
  });

  it("taxes a zero subtotal at zero", () => {
    expect(lines(tax({ province: "BC" }, { subtotalCents: 0n })).map((line) => line.amount)).toEqual([0n, 0n]);
  });
});

describe("computeCanadianTax — no tax", () => {
  it("zero-rates a customer outside Canada and says why", () => {
    expect(tax({ country: "US", province: "NY" })).toEqual({
      taxed: false,
      reason: "customer_outside_canada",
      exemptionNumber: null,
      lines: [],
      totalTaxCents: 0n,
    });
    expect(tax({ country: "FR", province: null, taxExempt: true }).taxed).toBe(false);
  });

  it("reads the country code case-insensitively", () => {
    expect(tax({ country: " ca " }).taxed).toBe(true);
  });

  it("exempts a customer with an exemption number", () => {
    expect(tax({ taxExempt: true, taxExemptionNumber: " EX-42 ", province: null })).toEqual({
      taxed: false,
      reason: "customer_tax_exempt",
      exemptionNumber: "EX-42",
      lines: [],
      totalTaxCents: 0n,
    });
  });
});

describe("computeCanadianTax — errors", () => {
  it("refuses an exemption without a number", () => {
    expect(taxError(() => tax({ taxExempt: true })).code).toBe("missing_exemption_number");
    expect(taxError(() => tax({ taxExempt: true, taxExemptionNumber: "   " })).code).toBe("missing_exemption_number");
  });

  it("never guesses a missing or unknown province", () => {
    expect(taxError(() => tax({ province: null })).code).toBe("missing_province");
    expect(taxError(() => tax({ province: "" })).code).toBe("missing_province");
    expect(taxError(() => tax({ province: "XX" })).code).toBe("unknown_province");
    expect(taxError(() => tax({ province: "Ontario" })).code).toBe("unknown_province");
    expect(tax({ province: "qc" }).lines.map((line) => line.code)).toEqual(["GST", "QST"]);
  });

  it("refuses a missing country", () => {
    expect(taxError(() => tax({ country: null })).code).toBe("missing_country");
  });

  it("refuses a date no rate covers", () => {
    expect(taxError(() => tax({ province: "BC" }, { taxPointDate: "2013-03-31" })).code).toBe("no_rate_for_date");
    expect(taxError(() => tax({ province: "MB" }, { taxPointDate: "2019-06-30" })).code).toBe("no_rate_for_date");
    expect(lines(tax({ province: "MB" }, { taxPointDate: "2019-07-01" })).map((line) => line.amount)).toEqual([500n, 700n]);
  });

  it("refuses a tax point that is not a calendar date", () => {
    expect(taxError(() => tax({}, { taxPointDate: "2026-06-15T10:00:00Z" })).code).toBe("invalid_tax_point_date");
    expect(taxError(() => tax({}, { taxPointDate: "2026-02-30" })).code).toBe("invalid_tax_point_date");
  });
});

describe("computeCanadianTax — seller registrations and rate tables", () => {
  it("prints null when the seller has no registration for a tax", () => {
    const result = tax({ province: "QC" }, { seller: { gstHst: "123456789RT0001", qst: "  " } });
    expect(result.lines.map((line) => line.registrationNumber)).toEqual(["123456789RT0001", null]);
  });

  it("uses a rate table given in place of the built-in one", () => {
    const rates = [
      { jurisdiction: "ON" as const, taxCode: "HST" as const, name: "HST", rate: "13", effectiveFrom: "2010-07-01", effectiveTo: "2026-12-31" },
      { jurisdiction: "ON" as const, taxCode: "HST" as const, name: "HST", rate: "12", effectiveFrom: "2027-01-01", effectiveTo: null },
    ];
    expect(tax({}, { rates, taxPointDate: "2026-12-31" }).totalTaxCents).toBe(1300n);
    expect(tax({}, { rates, taxPointDate: "2027-01-01" }).totalTaxCents).toBe(1200n);
  });
});

describe("CANADIAN_TAX_RATES", () => {
  it("never has two rates for one tax in one province on the same day", () => {
    for (const a of CANADIAN_TAX_RATES) {
      for (const b of CANADIAN_TAX_RATES) {
        if (a === b || a.jurisdiction !== b.jurisdiction || a.taxCode !== b.taxCode) continue;
        const aEnds = a.effectiveTo ?? "9999-12-31";
        const bEnds = b.effectiveTo ?? "9999-12-31";
        expect(a.effectiveFrom > bEnds || b.effectiveFrom > aEnds, `${a.jurisdiction} ${a.taxCode}`).toBe(true);
      }
    }
  });

  it("covers every province today with either HST or GST, never both", () => {
    for (const province of CANADIAN_PROVINCES) {
      const codes = taxRatesInEffect(province, "2026-01-01").map((rate) => rate.taxCode);
      expect(codes.includes("HST") !== codes.includes("GST"), province).toBe(true);
    }
  });
});

describe("taxRatesInEffect", () => {
  it("includes both ends of a rate's dates", () => {
    expect(taxRatesInEffect("NS", "2010-07-01").map((rate) => rate.rate)).toEqual(["15"]);
    expect(taxRatesInEffect("NS", "2025-03-31").map((rate) => rate.rate)).toEqual(["15"]);
    expect(taxRatesInEffect("NS", "2025-04-01").map((rate) => rate.rate)).toEqual(["14"]);
    expect(taxRatesInEffect("NS", "2010-06-30")).toEqual([]);
  });
});
