import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { BillingDecimal, decimal, parseDecimal, ZERO } from "@/lib/billing/decimal";

describe("parseDecimal", () => {
  it("accepts plain decimal notation", () => {
    expect(parseDecimal("12")?.toString()).toBe("12");
    expect(parseDecimal("-0.5")?.toString()).toBe("-0.5");
    expect(parseDecimal("+1.")?.toString()).toBe("1");
    expect(parseDecimal(".5")?.toString()).toBe("0.5");
    expect(parseDecimal("1e3")?.toString()).toBe("1000");
    expect(parseDecimal("1E-2")?.toString()).toBe("0.01");
  });

  it("rejects what decimal.js would otherwise read as a number", () => {
    for (const text of ["", " 1", "0x10", "0b1", "NaN", "Infinity", "-Infinity", "1,000", "1_000", "abc", "1e", "."]) {
      expect(parseDecimal(text), text).toBeNull();
    }
  });
});

describe("decimal", () => {
  it("reads numbers through their shortest string form", () => {
    expect(decimal(0.1).plus(decimal(0.2)).toString()).toBe("0.3");
    expect(decimal(123n).toString()).toBe("123");
  });

  it("refuses non-finite input", () => {
    expect(() => decimal(Number.NaN)).toThrow(RangeError);
    expect(() => decimal(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => decimal(new Decimal("Infinity"))).toThrow(RangeError);
  });

  it("computes with 50 significant digits where plain decimal.js keeps 20", () => {
    const a = "12345678901234567890.123456789012";
    const b = "1.000000000001";
    expect(decimal(a).mul(b).toString()).toBe("12345678901246913569.024691356902123456789012");
    expect(new Decimal(a).mul(b).toString()).toBe("12345678901246913569");
  });

  it("never switches to exponent notation for billing magnitudes", () => {
    expect(decimal("0.000000000001").toString()).toBe("0.000000000001");
    expect(decimal("1e30").toString()).toBe("1000000000000000000000000000000");
  });

  it("shares one zero", () => {
    expect(ZERO.isZero()).toBe(true);
    expect(ZERO).toBeInstanceOf(BillingDecimal);
  });
});
