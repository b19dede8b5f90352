import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { centsToDecimal, decimalToCents, divideHalfUp, parseAmountToCents, roundToCents, scaleCents, sumCents, sumDecimals } from "@/lib/billing/money";
import { taxAmountCents } from "@/lib/billing/tax/rounding";

const d = (value: Decimal.Value) => new Decimal(value);

describe("roundToCents", () => {
  it("rounds to the nearest cent", () => {
    expect(roundToCents(d("19.99"))).toBe(1999n);
    expect(roundToCents(d("12.344999"))).toBe(1234n);
    expect(roundToCents(d("12.3451"))).toBe(1235n);
    expect(roundToCents(d("0"))).toBe(0n);
  });

  it("rounds ties half up, away from zero", () => {
    expect(roundToCents(d("12.345"))).toBe(1235n);
    expect(roundToCents(d("0.005"))).toBe(1n);
    // 2.675 is 2.67499… as a float; as a decimal it is an exact tie.
    expect(roundToCents(d("2.675"))).toBe(268n);
  });

  it("rounds negative amounts symmetrically", () => {
    expect(roundToCents(d("-12.345"))).toBe(-1235n);
    expect(roundToCents(d("-12.344"))).toBe(-1234n);
    expect(roundToCents(d("-0.005"))).toBe(-1n);
    expect(roundToCents(d("-0.004"))).toBe(0n);
  });

  it("keeps every digit of huge amounts", () => {
    expect(roundToCents(d("123456789012345678901234567.895"))).toBe(12345678901234567890123456790n);
    expect(roundToCents(d("-123456789012345678901234567.894"))).toBe(-12345678901234567890123456789n);
  });

  it("reads tiny amounts without exponent trouble", () => {
    expect(roundToCents(d("1e-30"))).toBe(0n);
    expect(roundToCents(d("4.9999999999999999999999e-3"))).toBe(0n);
  });
});

describe("centsToDecimal", () => {
  it("converts cents to exact major units", () => {
    expect(centsToDecimal(1999n).toString()).toBe("19.99");
    expect(centsToDecimal(-5n).toString()).toBe("-0.05");
    expect(centsToDecimal(0n).toString()).toBe("0");
  });

  it("is exact beyond 2^53", () => {
    expect(centsToDecimal(10n ** 30n + 1n).toFixed()).toBe("10000000000000000000000000000.01");
  });
});

describe("decimalToCents", () => {
  it("converts whole-cent amounts", () => {
    expect(decimalToCents(d("19.99"))).toBe(1999n);
    expect(decimalToCents(d("-0.5"))).toBe(-50n);
    expect(decimalToCents(d("99999999999999999999999.99"))).toBe(9999999999999999999999999n);
  });

  it("refuses to round a sub-cent amount silently", () => {
    expect(() => decimalToCents(d("19.999"))).toThrow(RangeError);
  });
});

describe("scaleCents", () => {
  it("multiplies and rounds once", () => {
    expect(scaleCents(10000n, d(14).div(31))).toBe(4516n); // 45.16129…
    expect(scaleCents(1000n, d("0.13"))).toBe(130n);
  });

  it("rounds a half-cent result away from zero", () => {
    expect(scaleCents(3n, d("0.5"))).toBe(2n);
    expect(scaleCents(-3n, d("0.5"))).toBe(-2n);
  });
});

describe("sumCents", () => {
  it("adds bigint cents", () => {
    expect(sumCents([1n, 2n, -3n])).toBe(0n);
    expect(sumCents([])).toBe(0n);
    expect(sumCents([9007199254740993n, 9007199254740993n])).toBe(18014398509481986n);
  });
});

describe("sumDecimals", () => {
  it("adds exactly", () => {
    expect(sumDecimals([d("0.1"), d("0.2")]).toString()).toBe("0.3");
    expect(sumDecimals([d("-1.005"), d("0.005")]).toString()).toBe("-1");
    expect(sumDecimals([]).toString()).toBe("0");
  });
});

describe("parseAmountToCents", () => {
  it("reads whole and decimal amounts exactly", () => {
    expect(parseAmountToCents("10")).toEqual({ ok: true, cents: 1000n });
    expect(parseAmountToCents("10.5")).toEqual({ ok: true, cents: 1050n });
    expect(parseAmountToCents(" 1234.56 ")).toEqual({ ok: true, cents: 123456n });
    expect(parseAmountToCents(".99")).toEqual({ ok: true, cents: 99n });
    expect(parseAmountToCents("0")).toEqual({ ok: true, cents: 0n });
    // 0.29 × 100 is 28.999999999999996 as a float; read from its digits it is 29.
    expect(parseAmountToCents("0.29")).toEqual({ ok: true, cents: 29n });
    expect(parseAmountToCents("90071992547409.91")).toEqual({ ok: true, cents: 9007199254740991n });
  });

  it("refuses more than two decimals instead of rounding", () => {
    expect(parseAmountToCents("10.999")).toEqual({ ok: false, error: "too_many_decimals" });
    expect(parseAmountToCents("10.001")).toEqual({ ok: false, error: "too_many_decimals" });
  });

  it("refuses what is not a non-negative amount", () => {
    for (const text of ["", " ", ".", "-5", "1e3", "10,50", "$10", "ten", "1.2.3", "0x10"]) {
      expect(parseAmountToCents(text)).toEqual({ ok: false, error: "invalid_amount" });
    }
    expect(parseAmountToCents("90071992547409.92")).toEqual({ ok: false, error: "value_is_out_of_range" });
  });
});

describe("divideHalfUp", () => {
  it("rounds to the nearest integer, ties away from zero", () => {
    expect([divideHalfUp(5n, 2n), divideHalfUp(-5n, 2n), divideHalfUp(7n, 3n), divideHalfUp(-7n, 3n), divideHalfUp(8n, 3n), divideHalfUp(-8n, 3n), divideHalfUp(0n, 7n)])
      .toEqual([3n, -3n, 2n, -2n, 3n, -3n, 0n]);
  });
});

describe("taxAmountCents", () => {
  it("gives exactly what rounding cents × rate ÷ 100 in decimals gives, for every sign, size and rate", () => {
    const rates = ["5", "13", "15", "9.975", "7", "6", "14.975", "0", "0.001", "1e1", "-5", "12.3456789"];
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 5000; i++) {
      const magnitude = [10, 1000, 1_000_000, 100_000_000_000][i % 4];
      const cents = BigInt(next() % magnitude) * (i % 3 === 0 ? -1n : 1n);
      const rate = rates[i % rates.length];
      expect(taxAmountCents(cents, rate)).toBe(scaleCents(cents, new Decimal(rate).div(100)));
    }
    expect(taxAmountCents(10n, new Decimal("5"))).toBe(1n); // a Decimal rate, and a half cent rounded up
  });
});
