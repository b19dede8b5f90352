import { describe, expect, it } from "vitest";
import {
  formatDecimal,
  formatMoney,
  formatPercent,
  formatQuantity,
  formatUnitAmount,
  parseDecimalText,
} from "@/lib/documents/money-format";

describe("formatMoney", () => {
  it("formats CAD cents with a dollar sign and thousands separators", () => {
    expect(formatMoney(123456n, "CAD")).toBe("$1,234.56");
    expect(formatMoney(123456789n, "CAD")).toBe("$1,234,567.89");
    expect(formatMoney(100000n, "CAD")).toBe("$1,000.00");
    expect(formatMoney(99999n, "CAD")).toBe("$999.99");
  });

  it("pads small amounts to two decimals", () => {
    expect(formatMoney(0n, "CAD")).toBe("$0.00");
    expect(formatMoney(5n, "CAD")).toBe("$0.05");
    expect(formatMoney(50n, "CAD")).toBe("$0.50");
    expect(formatMoney(100n, "CAD")).toBe("$1.00");
  });

  it("names USD after the amount and other currencies without a symbol", () => {
    expect(formatMoney(123456n, "USD")).toBe("$1,234.56 USD");
    expect(formatMoney(123456n, "EUR")).toBe("1,234.56 EUR");
    expect(formatMoney(123456n, "GBP")).toBe("1,234.56 GBP");
    expect(formatMoney(123456n, "cad")).toBe("$1,234.56");
  });

  it("puts a leading minus on negative amounts", () => {
    expect(formatMoney(-123456n, "CAD")).toBe("-$1,234.56");
    expect(formatMoney(-123456n, "USD")).toBe("-$1,234.56 USD");
    expect(formatMoney(-123456n, "EUR")).toBe("-1,234.56 EUR");
    expect(formatMoney(-1n, "CAD")).toBe("-$0.01");
  });

  it("keeps every digit of amounts beyond 2^53", () => {
    expect(formatMoney(9007199254740993n, "CAD")).toBe("$90,071,992,547,409.93");
    expect(formatMoney(-12345678901234567890123n, "USD")).toBe("-$123,456,789,012,345,678,901.23 USD");
  });
});

describe("parseDecimalText", () => {
  it("splits a decimal string exactly", () => {
    expect(parseDecimalText("1234.5000")).toEqual({ negative: false, integer: "1234", fraction: "5" });
    expect(parseDecimalText("-0.0025")).toEqual({ negative: true, integer: "0", fraction: "0025" });
    expect(parseDecimalText(".5")).toEqual({ negative: false, integer: "0", fraction: "5" });
    expect(parseDecimalText("007")).toEqual({ negative: false, integer: "7", fraction: "" });
  });

  it("expands exponent notation (decimal.js writes 1e-7)", () => {
    expect(parseDecimalText("1e-7")).toEqual({ negative: false, integer: "0", fraction: "0000001" });
    expect(parseDecimalText("2.5E+3")).toEqual({ negative: false, integer: "2500", fraction: "" });
    expect(parseDecimalText("-1.25e1")).toEqual({ negative: true, integer: "12", fraction: "5" });
  });

  it("treats negative zero as zero", () => {
    expect(parseDecimalText("-0.000")).toEqual({ negative: false, integer: "0", fraction: "" });
  });

  it("rejects anything that is not a decimal number", () => {
    for (const bad of ["", "-", ".", "1,000", "abc", "1.2.3", "NaN", "Infinity", "1e99999"]) {
      expect(() => parseDecimalText(bad), bad).toThrow(RangeError);
    }
  });
});

describe("formatDecimal / formatQuantity", () => {
  it("groups thousands and drops trailing zeros", () => {
    expect(formatQuantity("1250000")).toBe("1,250,000");
    expect(formatQuantity("1500.000000000000")).toBe("1,500");
    expect(formatQuantity("412.500")).toBe("412.5");
    expect(formatQuantity("0.000001")).toBe("0.000001");
    expect(formatDecimal("-1234.5")).toBe("-1,234.5");
    expect(formatDecimal("0")).toBe("0");
  });

  it("keeps digits a float would lose", () => {
    expect(formatQuantity("123456789012345678.123456789012")).toBe("123,456,789,012,345,678.123456789012");
  });
});

describe("formatUnitAmount", () => {
  it("shows at least two decimals and every significant one beyond", () => {
    expect(formatUnitAmount("499", "CAD")).toBe("$499.00");
    expect(formatUnitAmount("2.5", "CAD")).toBe("$2.50");
    expect(formatUnitAmount("0.0025", "CAD")).toBe("$0.0025");
    expect(formatUnitAmount("0.002500000000", "CAD")).toBe("$0.0025");
    expect(formatUnitAmount("1234.5", "USD")).toBe("$1,234.50 USD");
    expect(formatUnitAmount("1e-7", "EUR")).toBe("0.0000001 EUR");
  });

  it("puts a leading minus on negative prices", () => {
    expect(formatUnitAmount("-18", "CAD")).toBe("-$18.00");
    expect(formatUnitAmount("-0.5", "USD")).toBe("-$0.50 USD");
  });
});

describe("formatPercent", () => {
  it("prints a rate given in percent without trailing zeros", () => {
    expect(formatPercent("13")).toBe("13%");
    expect(formatPercent("13.000000")).toBe("13%");
    expect(formatPercent("9.975")).toBe("9.975%");
    expect(formatPercent("5.000000")).toBe("5%");
    expect(formatPercent("0")).toBe("0%");
  });
});
