import { describe, expect, it } from "vitest";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";
import { crossedAlertThresholds, reachedLevels } from "@/lib/usage-monitoring/usage-levels";

const t = (id: string, amountCents: number, recurring = false) => ({ id, amountCents: BigInt(amountCents), recurring });

describe("usage threshold levels (progressive billing)", () => {
  it("lists the fixed thresholds reached, in order, and nothing below the first", () => {
    const thresholds = [t("b", 10000), t("a", 5000)];
    expect(reachedLevels(thresholds, BigInt(4999))).toEqual([]);
    expect(reachedLevels(thresholds, BigInt(5000)).map((l) => [l.threshold.id, l.levelCents])).toEqual([["a", BigInt(5000)]]);
    expect(reachedLevels(thresholds, BigInt(12000)).map((l) => l.levelCents)).toEqual([BigInt(5000), BigInt(10000)]);
  });

  it("a recurring threshold repeats every amount above the highest fixed one (only its highest level is listed)", () => {
    const thresholds = [t("fixed", 5000), t("again", 2000, true)];
    expect(reachedLevels(thresholds, BigInt(6999)).map((l) => l.levelCents)).toEqual([BigInt(5000)]);
    expect(reachedLevels(thresholds, BigInt(7000)).map((l) => [l.threshold.id, l.levelCents])).toEqual([["fixed", BigInt(5000)], ["again", BigInt(7000)]]);
    expect(reachedLevels(thresholds, BigInt(10_999)).map((l) => l.levelCents)).toEqual([BigInt(5000), BigInt(9000)]);
    // Alone, it repeats from zero; a huge usage is one level, not millions.
    expect(reachedLevels([t("r", 100, true)], BigInt(10_000_000_000)).map((l) => l.levelCents)).toEqual([BigInt(10_000_000_000)]);
  });
});

describe("alert thresholds crossed", () => {
  const thresholds = [{ code: "warn", value: "40", recurring: false }, { code: "stop", value: "100", recurring: false }, { code: "every", value: "25", recurring: true }];

  it("fires the thresholds in (previous, current], never when the value did not grow", () => {
    expect(crossedAlertThresholds(thresholds, "0", "39.9")).toEqual([]);
    expect(crossedAlertThresholds(thresholds, "0", "40")).toEqual([{ code: "warn", value: "40", recurring: false }]);
    expect(crossedAlertThresholds(thresholds, "40", "99")).toEqual([]);
    expect(crossedAlertThresholds(thresholds, "120", "90")).toEqual([]);
    expect(crossedAlertThresholds(thresholds, "30", "100").map((c) => c.code)).toEqual(["warn", "stop"]);
  });

  it("lists each recurrence crossed above the last fixed threshold, with its value", () => {
    expect(crossedAlertThresholds(thresholds, "99", "151")).toEqual([
      { code: "stop", value: "100", recurring: false },
      { code: "every", value: "125", recurring: true },
      { code: "every", value: "150", recurring: true },
    ]);
    expect(crossedAlertThresholds(thresholds, "150", "174")).toEqual([]);
    expect(crossedAlertThresholds(thresholds, "150", "175")).toEqual([{ code: "every", value: "175", recurring: true }]);
    // A jump across many recurrences lists the last hundred.
    expect(crossedAlertThresholds(thresholds, "100", "100000")).toHaveLength(100);
  });
});

describe("progressive-billing credit in the composition", () => {
  it("comes off before tax and never below zero", () => {
    const taxes = (taxable: bigint) => ({ lines: [], totalCents: (taxable * BigInt(13) + BigInt(50)) / BigInt(100), note: null });
    const close = composeInvoice({ lines: [{ amountCents: BigInt(7500) }], credits: [{ code: "progressive_billing", description: "billed", amountCents: BigInt(5500) }], taxes });
    expect([close.subtotalCents, close.creditsCents, close.taxableCents, close.taxesCents, close.totalCents]).toEqual([BigInt(7500), BigInt(5500), BigInt(2000), BigInt(260), BigInt(2260)]);
    const over = composeInvoice({ lines: [{ amountCents: BigInt(1000) }], credits: [{ code: "progressive_billing", description: "billed", amountCents: BigInt(5500) }], taxes });
    expect([over.creditsCents, over.taxableCents, over.totalCents]).toEqual([BigInt(1000), BigInt(0), BigInt(0)]);
  });
});
