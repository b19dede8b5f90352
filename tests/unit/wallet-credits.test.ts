import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/errors";
import { centsToCredits, creditsToCents } from "@/lib/wallets/credits";

describe("wallet credits ↔ cents", () => {
  it("converts at the wallet's rate, exactly", () => {
    expect(creditsToCents("100", "1", "granted_credits")).toBe(10000n);
    expect(creditsToCents("120", "0.5", "paid_credits")).toBe(6000n);
    expect(creditsToCents("3", "0.33", "paid_credits")).toBe(99n);
    expect(creditsToCents("0.01", "1", "paid_credits")).toBe(1n);
    expect(centsToCredits(350n, "0.5")).toBe("7");
    expect(centsToCredits(5650n, "0.5")).toBe("113");
    expect(centsToCredits(1n, "3")).toBe("0.00333");
  });

  it("refuses credits worth a fraction of a cent instead of rounding money away", () => {
    const refusal = (() => {
      try {
        creditsToCents("0.001", "1", "granted_credits");
      } catch (error) {
        return error;
      }
    })() as DomainError;
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal.details).toEqual({ granted_credits: ["value_is_invalid"] });
    expect(() => creditsToCents("1", "0.333", "paid_credits")).toThrow(DomainError);
  });
});
