import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  CHARGE_MODELS,
  defaultChargeProperties,
  priceCharge,
  validateChargeProperties,
  type ChargeBreakdown,
  type ChargeModel,
  type PricedCharge,
  type PricingRange,
  type TierBreakdown,
} from "@/lib/billing/charge-models";

const d = (value: Decimal.Value) => new Decimal(value);

function range(from: number, to: number | null, perUnit: string, flat = "0"): PricingRange {
  return { from_value: from, to_value: to, per_unit_amount: perUnit, flat_amount: flat };
}

function tiersOf(breakdown: ChargeBreakdown): TierBreakdown[] {
  if (breakdown.model !== "graduated" && breakdown.model !== "volume") throw new Error(`no tiers for ${breakdown.model}`);
  return breakdown.tiers;
}

function tierSummary(tier: TierBreakdown) {
  return { from: tier.fromValue, to: tier.toValue, units: tier.units.toString(), amount: tier.amount.toString() };
}

describe("defaultChargeProperties", () => {
  it("gives Lago's defaults", () => {
    expect(defaultChargeProperties("standard")).toEqual({ amount: "0" });
    expect(defaultChargeProperties("graduated")).toEqual({ graduated_ranges: [range(0, null, "0")] });
    expect(defaultChargeProperties("volume")).toEqual({ volume_ranges: [range(0, null, "0")] });
    expect(defaultChargeProperties("package")).toEqual({ package_size: 1, amount: "0", free_units: 0 });
    expect(defaultChargeProperties("percentage")).toEqual({ rate: "0" });
  });

  it("refuses an unknown model", () => {
    expect(() => defaultChargeProperties("dynamic" as never)).toThrow(RangeError);
  });
});

describe("validateChargeProperties", () => {
  it("applies the defaults when properties are omitted", () => {
    for (const model of CHARGE_MODELS) {
      expect(validateChargeProperties(model, undefined)).toEqual({ valid: true, properties: defaultChargeProperties(model) });
      expect(validateChargeProperties(model, null)).toEqual({ valid: true, properties: defaultChargeProperties(model) });
    }
  });

  it("accepts a standard amount string and strips other models' keys", () => {
    expect(validateChargeProperties("standard", { amount: "0.05", package_size: 10 })).toEqual({
      valid: true,
      properties: { amount: "0.05" },
    });
  });

  it("rejects an amount sent as a JSON number, a non-decimal or a negative", () => {
    for (const amount of [0.05, "abc", "-1", "0x10", "", undefined, null]) {
      expect(validateChargeProperties("standard", { amount }), String(amount)).toEqual({
        valid: false,
        errors: { amount: ["invalid_amount"] },
      });
    }
  });

  it("treats properties that are not an object as empty", () => {
    expect(validateChargeProperties("standard", "0.05")).toEqual({ valid: false, errors: { amount: ["invalid_amount"] } });
  });

  it("accepts classic and adjacent graduated ranges", () => {
    const classic = [range(0, 100, "0.10", "5"), range(101, 200, "0.05"), range(201, null, "0.01")];
    const adjacent = [range(0, 100, "0.10", "5"), range(100, 200, "0.05"), range(200, null, "0.01")];
    expect(validateChargeProperties("graduated", { graduated_ranges: classic })).toEqual({
      valid: true,
      properties: { graduated_ranges: classic },
    });
    expect(validateChargeProperties("graduated", { graduated_ranges: adjacent })).toEqual({
      valid: true,
      properties: { graduated_ranges: adjacent },
    });
  });

  it("reads a missing last to_value as open", () => {
    const result = validateChargeProperties("graduated", {
      graduated_ranges: [{ from_value: 0, per_unit_amount: "1", flat_amount: "0" }],
    });
    expect(result).toEqual({ valid: true, properties: { graduated_ranges: [range(0, null, "1")] } });
  });

  it("reports missing graduated ranges", () => {
    for (const properties of [{}, { graduated_ranges: [] }, { graduated_ranges: null }]) {
      expect(validateChargeProperties("graduated", properties)).toEqual({
        valid: false,
        errors: { graduated_ranges: ["missing_graduated_ranges"] },
      });
    }
  });

  it("reports ranges that do not start at 0, leave gaps, overlap, mix styles or end closed", () => {
    const cases: PricingRange[][] = [
      [range(1, null, "1")],
      [range(0, 100, "1"), range(102, null, "1")],
      [range(0, 100, "1"), range(50, null, "1")],
      [range(0, 100, "1"), range(100, 200, "1"), range(201, null, "1")],
      [range(0, 100, "1"), range(101, 200, "1")],
      [range(0, null, "1"), range(1, null, "1")],
      [range(0, 100, "1"), range(101, 101, "1"), range(102, null, "1")],
      [range(0, 10.5, "1"), range(11, null, "1")],
    ];
    for (const graduated_ranges of cases) {
      expect(validateChargeProperties("graduated", { graduated_ranges }), JSON.stringify(graduated_ranges)).toEqual({
        valid: false,
        errors: { graduated_ranges: ["invalid_graduated_ranges"] },
      });
    }
  });

  it("reports ranges that are not a list of objects", () => {
    expect(validateChargeProperties("graduated", { graduated_ranges: { from_value: 0 } })).toEqual({
      valid: false,
      errors: { graduated_ranges: ["invalid_graduated_ranges"] },
    });
    expect(validateChargeProperties("graduated", { graduated_ranges: ["0-100"] })).toEqual({
      valid: false,
      errors: { graduated_ranges: ["invalid_graduated_ranges"] },
    });
  });

  it("reports range amounts under their own field, once", () => {
    const graduated_ranges = [
      { from_value: 0, to_value: 10, per_unit_amount: 1, flat_amount: "0" },
      { from_value: 11, to_value: null, per_unit_amount: 2, flat_amount: null },
    ];
    expect(validateChargeProperties("graduated", { graduated_ranges })).toEqual({
      valid: false,
      errors: { per_unit_amount: ["invalid_amount"], flat_amount: ["invalid_amount"] },
    });
  });

  it("validates volume ranges with the volume codes", () => {
    expect(validateChargeProperties("volume", {})).toEqual({ valid: false, errors: { volume_ranges: ["missing_volume_ranges"] } });
    expect(validateChargeProperties("volume", { volume_ranges: [range(0, 100, "1")] })).toEqual({
      valid: false,
      errors: { volume_ranges: ["invalid_volume_ranges"] },
    });
    const valid = [range(0, 100, "1"), range(100, null, "0.5", "10")];
    expect(validateChargeProperties("volume", { volume_ranges: valid })).toEqual({ valid: true, properties: { volume_ranges: valid } });
  });

  it("validates package properties", () => {
    expect(validateChargeProperties("package", { amount: "5", package_size: 100, free_units: 0 })).toEqual({
      valid: true,
      properties: { amount: "5", package_size: 100, free_units: 0 },
    });
    expect(validateChargeProperties("package", { amount: 5, package_size: 0, free_units: -1 })).toEqual({
      valid: false,
      errors: { amount: ["invalid_amount"], package_size: ["invalid_package_size"], free_units: ["invalid_free_units"] },
    });
    expect(validateChargeProperties("package", { amount: "5", package_size: "100", free_units: 1.5 })).toEqual({
      valid: false,
      errors: { package_size: ["invalid_package_size"], free_units: ["invalid_free_units"] },
    });
    expect(validateChargeProperties("package", { amount: "5", package_size: 10 })).toEqual({
      valid: false,
      errors: { free_units: ["invalid_free_units"] },
    });
  });

  it("validates percentage properties and omits absent options", () => {
    expect(validateChargeProperties("percentage", { rate: "2.5", fixed_amount: null })).toEqual({
      valid: true,
      properties: { rate: "2.5" },
    });
    const full = { rate: "2.9", fixed_amount: "0.30", free_units_per_events: 5, free_units_per_total_aggregation: "100" };
    expect(validateChargeProperties("percentage", full)).toEqual({ valid: true, properties: full });
    expect(validateChargeProperties("percentage", { rate: 2.5 })).toEqual({ valid: false, errors: { rate: ["invalid_rate"] } });
    expect(validateChargeProperties("percentage", {})).toEqual({ valid: false, errors: { rate: ["invalid_rate"] } });
    expect(
      validateChargeProperties("percentage", {
        rate: "1",
        fixed_amount: 0.3,
        free_units_per_events: 0,
        free_units_per_total_aggregation: 100,
      }),
    ).toEqual({
      valid: false,
      errors: {
        fixed_amount: ["invalid_fixed_amount"],
        free_units_per_events: ["invalid_free_units_per_events"],
        free_units_per_total_aggregation: ["invalid_free_units_per_total_aggregation"],
      },
    });
  });

  it("refuses an unknown model", () => {
    expect(() => validateChargeProperties("dynamic" as never, {})).toThrow(RangeError);
  });
});

describe("priceCharge — standard", () => {
  const standard = (amount: string, extra: Partial<PricedCharge> = {}): PricedCharge =>
    ({ model: "standard", properties: { amount }, ...extra }) as PricedCharge;

  it("multiplies units by the unit price and rounds the line once", () => {
    const price = priceCharge(standard("0.05"), { units: d("1234.5") });
    expect(price.amount.toString()).toBe("61.725");
    expect(price.amountCents).toBe(6173n);
    expect(price.breakdown.model).toBe("standard");
    expect(price.breakdown.model === "standard" && price.breakdown.unitAmount.toString()).toBe("0.05");
    expect(price.trueUpCents).toBe(0n);
    expect(price.minimum).toBeNull();
  });

  it("rounds sub-cent unit prices only at the end of the line", () => {
    expect(priceCharge(standard("0.0033"), { units: d(3) }).amountCents).toBe(1n); // 0.0099
  });

  it("bills only the units above the included quantity", () => {
    const price = priceCharge(standard("0.05", { includedQuantity: d(1000) }), { units: d("1234.5") });
    expect(price.includedUnits.toString()).toBe("1000");
    expect(price.billableUnits.toString()).toBe("234.5");
    expect(price.amountCents).toBe(1173n); // 11.725
  });

  it("bills nothing when usage stays within the included quantity or is negative", () => {
    const within = priceCharge(standard("0.05", { includedQuantity: d(1000) }), { units: d(500) });
    expect(within.includedUnits.toString()).toBe("500");
    expect(within.billableUnits.toString()).toBe("0");
    expect(within.amountCents).toBe(0n);
    const negative = priceCharge(standard("0.05"), { units: d(-20) });
    expect(negative.billableUnits.toString()).toBe("0");
    expect(negative.includedUnits.toString()).toBe("0");
    expect(negative.amountCents).toBe(0n);
  });

  it("refuses a negative included quantity", () => {
    expect(() => priceCharge(standard("1", { includedQuantity: d(-1) }), { units: d(1) })).toThrow(RangeError);
  });
});

describe("priceCharge — graduated", () => {
  const classic: PricedCharge = {
    model: "graduated",
    properties: { graduated_ranges: [range(0, 100, "0.10", "5"), range(101, 200, "0.05", "2"), range(201, null, "0.01")] },
  };
  const adjacent: PricedCharge = {
    model: "graduated",
    properties: { graduated_ranges: [range(0, 100, "0.10", "5"), range(100, 200, "0.05", "2"), range(200, null, "0.01")] },
  };

  it("bills nothing and lists no tier for zero units", () => {
    const price = priceCharge(classic, { units: d(0) });
    expect(price.amountCents).toBe(0n);
    expect(tiersOf(price.breakdown)).toEqual([]);
  });

  it("bills the first tier's units plus its flat fee", () => {
    expect(priceCharge(classic, { units: d(50) }).amountCents).toBe(1000n);
    const full = priceCharge(classic, { units: d(100) });
    expect(full.amountCents).toBe(1500n);
    expect(tiersOf(full.breakdown).map(tierSummary)).toEqual([{ from: 0, to: 100, units: "100", amount: "15" }]);
  });

  it("adds the next tier's flat fee as soon as one unit falls in it", () => {
    const price = priceCharge(classic, { units: d(101) });
    expect(price.amountCents).toBe(1705n);
    expect(tiersOf(price.breakdown).map(tierSummary)).toEqual([
      { from: 0, to: 100, units: "100", amount: "15" },
      { from: 101, to: 200, units: "1", amount: "2.05" },
    ]);
  });

  it("walks every tier up to the total, with a full breakdown", () => {
    const price = priceCharge(classic, { units: d(250) });
    expect(price.amount.toString()).toBe("22.5");
    expect(price.amountCents).toBe(2250n);
    const tiers = tiersOf(price.breakdown);
    expect(tiers.map(tierSummary)).toEqual([
      { from: 0, to: 100, units: "100", amount: "15" },
      { from: 101, to: 200, units: "100", amount: "7" },
      { from: 201, to: null, units: "50", amount: "0.5" },
    ]);
    expect(tiers[1].perUnitAmount.toString()).toBe("0.05");
    expect(tiers[1].flatAmount.toString()).toBe("2");
    expect(tiers[1].unitsAmount.toString()).toBe("5");
  });

  it("puts fractional units above a bound in the next tier and rounds the tie up", () => {
    const price = priceCharge(classic, { units: d("100.5") });
    expect(price.amount.toString()).toBe("17.025");
    expect(price.amountCents).toBe(1703n);
  });

  it("prices adjacent ranges the same way", () => {
    expect(priceCharge(adjacent, { units: d(250) }).amountCents).toBe(2250n);
    expect(priceCharge(adjacent, { units: d(100) }).amountCents).toBe(1500n);
    const twoHundred = priceCharge(adjacent, { units: d(200) });
    expect(twoHundred.amountCents).toBe(2200n);
    expect(tiersOf(twoHundred.breakdown)).toHaveLength(2);
  });

  it("applies the included quantity before the tiers", () => {
    expect(priceCharge({ ...classic, includedQuantity: d(50) }, { units: d(150) }).amountCents).toBe(1500n);
  });

  it("rounds the sum of the tiers, not each tier", () => {
    const tiny: PricedCharge = { model: "graduated", properties: { graduated_ranges: [range(0, 1, "0.004"), range(2, null, "0.004")] } };
    expect(priceCharge(tiny, { units: d(2) }).amountCents).toBe(1n); // 0.008, where per-tier rounding would give 0
  });
});

describe("priceCharge — volume", () => {
  const volume = (flatOnFirst = "0"): PricedCharge => ({
    model: "volume",
    properties: { volume_ranges: [range(0, 100, "1.00", flatOnFirst), range(101, 1000, "0.80", "10"), range(1001, null, "0.50", "50")] },
  });

  it("prices all units at the tier that contains the total", () => {
    expect(priceCharge(volume(), { units: d(100) }).amountCents).toBe(10000n);
    const price = priceCharge(volume(), { units: d(101) });
    expect(price.amountCents).toBe(9080n);
    expect(tiersOf(price.breakdown).map(tierSummary)).toEqual([{ from: 101, to: 1000, units: "101", amount: "90.8" }]);
    expect(priceCharge(volume(), { units: d(5000) }).amountCents).toBe(255000n);
  });

  it("places fractional units above a bound in the higher tier", () => {
    expect(priceCharge(volume(), { units: d("100.5") }).amountCents).toBe(9040n);
  });

  it("charges the first tier's flat fee even at zero units, as Lago does", () => {
    expect(priceCharge(volume("3"), { units: d(0) }).amountCents).toBe(300n);
    expect(priceCharge(volume(), { units: d(0) }).amountCents).toBe(0n);
  });

  it("keeps a boundary total in the lower adjacent tier", () => {
    const adjacent: PricedCharge = {
      model: "volume",
      properties: { volume_ranges: [range(0, 100, "1"), range(100, null, "0.5")] },
    };
    expect(priceCharge(adjacent, { units: d(100) }).amountCents).toBe(10000n);
    expect(priceCharge(adjacent, { units: d("100.01") }).amountCents).toBe(5001n); // 50.005
  });
});

describe("priceCharge — package", () => {
  const pkg: PricedCharge = { model: "package", properties: { amount: "5", package_size: 100, free_units: 50 } };

  it("bills nothing up to the free units", () => {
    expect(priceCharge(pkg, { units: d(0) }).amountCents).toBe(0n);
    const price = priceCharge(pkg, { units: d(50) });
    expect(price.amountCents).toBe(0n);
    const breakdown = price.breakdown;
    if (breakdown.model !== "package") throw new Error("expected a package breakdown");
    expect([breakdown.packages, breakdown.paidUnits, breakdown.freeUnits].map(String)).toEqual(["0", "0", "50"]);
  });

  it("bills a whole package from its first unit", () => {
    expect(priceCharge(pkg, { units: d(51) }).amountCents).toBe(500n);
    expect(priceCharge(pkg, { units: d(150) }).amountCents).toBe(500n);
    expect(priceCharge(pkg, { units: d(151) }).amountCents).toBe(1000n);
    expect(priceCharge(pkg, { units: d("150.5") }).amountCents).toBe(1000n);
  });

  it("reports the package breakdown", () => {
    const price = priceCharge(pkg, { units: d(351) });
    expect(price.amountCents).toBe(2000n);
    const breakdown = price.breakdown;
    if (breakdown.model !== "package") throw new Error("expected a package breakdown");
    expect({
      packageSize: breakdown.packageSize,
      packageAmount: breakdown.packageAmount.toString(),
      freeUnits: breakdown.freeUnits.toString(),
      paidUnits: breakdown.paidUnits.toString(),
      packages: breakdown.packages.toString(),
    }).toEqual({ packageSize: 100, packageAmount: "5", freeUnits: "50", paidUnits: "301", packages: "4" });
  });

  it("refuses a package size no validated charge has", () => {
    expect(() => priceCharge({ model: "package", properties: { amount: "5", package_size: 0, free_units: 0 } }, { units: d(1) })).toThrow(
      RangeError,
    );
  });
});

describe("priceCharge — percentage", () => {
  const percentage = (properties: Record<string, unknown>, extra: Partial<PricedCharge> = {}): PricedCharge =>
    ({ model: "percentage", properties: { rate: "1", ...properties }, ...extra }) as PricedCharge;
  const values = [d(100), d(200), d(300), d(400)];

  it("takes the rate as a percentage of the units", () => {
    expect(priceCharge(percentage({ rate: "2.5" }), { units: d(1000) }).amountCents).toBe(2500n);
    expect(priceCharge(percentage({ rate: "2.9" }), { units: d("33.33") }).amountCents).toBe(97n); // 0.96657
    expect(priceCharge(percentage({ rate: "0.5" }), { units: d(1) }).amountCents).toBe(1n); // 0.005
  });

  it("adds the fixed amount per event", () => {
    const price = priceCharge(percentage({ rate: "2.9", fixed_amount: "0.30" }), { units: d(1000), eventsCount: 10 });
    expect(price.amountCents).toBe(3200n);
    expect(price.breakdown).toMatchObject({ model: "percentage", paidEvents: 10, freeEvents: 0 });
  });

  it("charges no fixed fee when there are no units", () => {
    expect(priceCharge(percentage({ fixed_amount: "0.30" }), { units: d(0), eventsCount: 3 }).amountCents).toBe(0n);
  });

  it("makes the first N events free, units and fixed fees", () => {
    const price = priceCharge(percentage({ fixed_amount: "0.5", free_units_per_events: 2 }), { units: d(1000), eventValues: values });
    expect(price.amountCents).toBe(800n); // 700 × 1 % + 2 × 0.50
    const breakdown = price.breakdown;
    if (breakdown.model !== "percentage") throw new Error("expected a percentage breakdown");
    expect(breakdown.freeUnits.toString()).toBe("300");
    expect(breakdown.paidUnits.toString()).toBe("700");
    expect(breakdown.percentageAmount.toString()).toBe("7");
    expect([breakdown.eventsCount, breakdown.freeEvents, breakdown.paidEvents]).toEqual([4, 2, 2]);
    expect(breakdown.fixedAmountTotal.toString()).toBe("1");
  });

  it("frees units up to a total, and events while the running total stays below it", () => {
    const price = priceCharge(percentage({ fixed_amount: "0.5", free_units_per_total_aggregation: "250" }), {
      units: d(1000),
      eventValues: values,
    });
    expect(price.amountCents).toBe(900n); // 750 × 1 % + 3 × 0.50
    expect(price.breakdown).toMatchObject({ freeEvents: 1, paidEvents: 3 });
  });

  it("ends the free allowance at whichever limit is reached first", () => {
    const price = priceCharge(
      percentage({ fixed_amount: "0.5", free_units_per_events: 3, free_units_per_total_aggregation: "250" }),
      { units: d(1000), eventValues: values },
    );
    expect(price.amountCents).toBe(900n);
    const generousTotal = priceCharge(
      percentage({ fixed_amount: "0.5", free_units_per_events: 2, free_units_per_total_aggregation: "5000" }),
      { units: d(1000), eventValues: values },
    );
    expect(generousTotal.amountCents).toBe(800n);
  });

  it("never frees more than the units", () => {
    const price = priceCharge(percentage({ free_units_per_total_aggregation: "250" }), { units: d(200) });
    expect(price.amountCents).toBe(0n);
    const breakdown = price.breakdown;
    if (breakdown.model !== "percentage") throw new Error("expected a percentage breakdown");
    expect([breakdown.freeUnits, breakdown.paidUnits].map(String)).toEqual(["200", "0"]);
  });

  it("applies the included quantity before the rate", () => {
    expect(priceCharge(percentage({ rate: "2" }, { includedQuantity: d(100) }), { units: d(1000) }).amountCents).toBe(1800n);
  });

  it("asks for the event data a rule needs", () => {
    expect(() => priceCharge(percentage({ fixed_amount: "0.30" }), { units: d(10) })).toThrow(RangeError);
    expect(() => priceCharge(percentage({ free_units_per_events: 2 }), { units: d(10), eventsCount: 2 })).toThrow(RangeError);
    expect(() => priceCharge(percentage({}), { units: d(10), eventsCount: 3, eventValues: [d(10)] })).toThrow(RangeError);
  });

  it("counts events from their values when no count is given", () => {
    const price = priceCharge(percentage({ fixed_amount: "1" }), { units: d(1000), eventValues: values });
    expect(price.amountCents).toBe(1400n); // 10 + 4 × 1
  });
});

describe("priceCharge — spending minimum", () => {
  const tenDollars: PricedCharge = { model: "standard", properties: { amount: "1" }, minAmountCents: 2500n };

  it("tops the line up to the minimum with a true-up", () => {
    const price = priceCharge(tenDollars, { units: d(10) });
    expect(price.amountCents).toBe(1000n);
    expect(price.trueUpCents).toBe(1500n);
    expect(price.minimum).toMatchObject({ minimumCents: 2500n, proratedMinimumCents: 2500n, trueUpCents: 1500n });
    expect(price.minimum?.proration.toString()).toBe("1");
  });

  it("prorates the minimum for a partial period", () => {
    const price = priceCharge(tenDollars, { units: d(10) }, { minimumProration: d(14).div(31) });
    expect(price.minimum?.proratedMinimumCents).toBe(1129n);
    expect(price.trueUpCents).toBe(129n);
  });

  it("adds nothing when the line reaches the minimum", () => {
    expect(priceCharge(tenDollars, { units: d(25) }).trueUpCents).toBe(0n);
    expect(priceCharge(tenDollars, { units: d(30) }).trueUpCents).toBe(0n);
  });

  it("ignores an absent or zero minimum", () => {
    expect(priceCharge({ ...tenDollars, minAmountCents: null }, { units: d(1) }).minimum).toBeNull();
    expect(priceCharge({ ...tenDollars, minAmountCents: 0n }, { units: d(1) }).trueUpCents).toBe(0n);
  });

  it("refuses a proration outside 0..1", () => {
    expect(() => priceCharge(tenDollars, { units: d(1) }, { minimumProration: d("1.01") })).toThrow(RangeError);
    expect(() => priceCharge(tenDollars, { units: d(1) }, { minimumProration: d(-1) })).toThrow(RangeError);
  });
});

describe("priceCharge — properties read at run time", () => {
  it("prices what validation returns for a model only known at run time", () => {
    const model = "graduated" as ChargeModel;
    const result = validateChargeProperties(model, {
      graduated_ranges: [range(0, 100, "0.10", "5"), range(101, 200, "0.05", "2"), range(201, null, "0.01")],
    });
    if (!result.valid) throw new Error("expected valid properties");
    expect(priceCharge({ model, properties: result.properties }, { units: d(250) }).amountCents).toBe(2250n);
  });

  it("refuses an unknown model or properties that were never validated", () => {
    expect(() => priceCharge({ model: "dynamic", properties: {} } as never, { units: d(1) })).toThrow(RangeError);
    expect(() => priceCharge({ model: "standard", properties: {} as never }, { units: d(1) })).toThrow(RangeError);
    expect(() => priceCharge({ model: "standard", properties: { amount: "1e" } }, { units: d(1) })).toThrow(RangeError);
    expect(() => priceCharge({ model: "graduated", properties: { graduated_ranges: [] } }, { units: d(1) })).toThrow(RangeError);
  });
});
