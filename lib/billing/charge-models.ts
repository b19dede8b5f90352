/**
 * Charge models: the price of a period's units for one charge, with Lago's property shapes and validation codes.
 *
 * Every amount in the properties is a decimal string in major units ("0.05"). A line is priced exactly and rounded to
 * cents once, at the end (see money.ts). Units covered by the charge's included quantity are removed before the model
 * sees them.
 *
 * Range tiers: a tier covers the units above the previous tier's `to_value` up to its own `to_value`. That reads both of
 * Lago's styles the same way: classic ranges (0–100, 101–200: next from = previous to + 1) and adjacent ranges (0–100,
 * 100–200: next from = previous to) both put units 101 to 200 in the second tier, and fractional units (100.5) in the
 * tier above 100.
 */
import { decimal, parseDecimal, ZERO, type Decimal } from "./decimal";
import { roundToCents, scaleCents } from "./money";

export const CHARGE_MODELS = ["standard", "graduated", "volume", "package", "percentage"] as const;
export type ChargeModel = (typeof CHARGE_MODELS)[number];

export interface PricingRange {
  from_value: number;
  to_value: number | null;
  per_unit_amount: string;
  flat_amount: string;
}

export interface StandardProperties {
  amount: string;
}

export interface GraduatedProperties {
  graduated_ranges: PricingRange[];
}

export interface VolumeProperties {
  volume_ranges: PricingRange[];
}

export interface PackageProperties {
  amount: string;
  package_size: number;
  free_units: number;
}

export interface PercentageProperties {
  /** Percent: "2.5" is 2.5 %. */
  rate: string;
  /** Fee per paying event. */
  fixed_amount?: string;
  /** The first N events are free (their units and their fixed fees). */
  free_units_per_events?: number;
  /** Units free in total. With `free_units_per_events`, whichever runs out first ends the free allowance. */
  free_units_per_total_aggregation?: string;
}

export interface ChargePropertiesByModel {
  standard: StandardProperties;
  graduated: GraduatedProperties;
  volume: VolumeProperties;
  package: PackageProperties;
  percentage: PercentageProperties;
}

export type ChargePropertyErrorCode =
  | "invalid_amount"
  | "invalid_graduated_ranges"
  | "missing_graduated_ranges"
  | "invalid_volume_ranges"
  | "missing_volume_ranges"
  | "invalid_package_size"
  | "invalid_free_units"
  | "invalid_rate"
  | "invalid_fixed_amount"
  | "invalid_free_units_per_events"
  | "invalid_free_units_per_total_aggregation";

/** Lago's `error_details` shape: property name → codes. */
export type ChargePropertyErrors = Record<string, ChargePropertyErrorCode[]>;

export type ChargePropertiesValidation<M extends ChargeModel> =
  | { valid: true; properties: ChargePropertiesByModel[M] }
  | { valid: false; errors: ChargePropertyErrors };

/** Lago's defaults when a charge is created without properties. */
export function defaultChargeProperties<M extends ChargeModel>(model: M): ChargePropertiesByModel[M] {
  assertChargeModel(model);
  return CHARGE_MODEL_REGISTRY[model].defaults();
}

/** How a charge model reads in the console, on documents and in lists. */
export function chargeModelLabel(model: ChargeModel): string {
  return CHARGE_MODEL_REGISTRY[model].label;
}

function assertChargeModel(model: string): asserts model is ChargeModel {
  if (!(CHARGE_MODELS as readonly string[]).includes(model)) throw new RangeError(`Unknown charge model: ${model}`);
}

/** A non-negative decimal string; JSON numbers are refused so that no amount ever passes through a float. */
function isAmount(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const parsed = parseDecimal(value);
  return parsed !== null && !parsed.isNegative();
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export class ErrorCollector {
  readonly errors: ChargePropertyErrors = {};

  add(field: string, code: ChargePropertyErrorCode): void {
    const codes = (this.errors[field] ??= []);
    if (!codes.includes(code)) codes.push(code);
  }

  get empty(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

function validateRanges(
  value: unknown,
  field: "graduated_ranges" | "volume_ranges",
  errors: ErrorCollector,
): PricingRange[] {
  const invalid = field === "graduated_ranges" ? "invalid_graduated_ranges" : "invalid_volume_ranges";
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    errors.add(field, field === "graduated_ranges" ? "missing_graduated_ranges" : "missing_volume_ranges");
    return [];
  }
  if (!Array.isArray(value)) {
    errors.add(field, invalid);
    return [];
  }
  const ranges: PricingRange[] = [];
  let adjacentStyle: boolean | null = null;
  value.forEach((item: unknown, index) => {
    if (!isRecord(item)) {
      errors.add(field, invalid);
      return;
    }
    const { from_value: from, to_value: rawTo, per_unit_amount: perUnit, flat_amount: flat } = item;
    if (!isAmount(perUnit)) errors.add("per_unit_amount", "invalid_amount");
    if (!isAmount(flat)) errors.add("flat_amount", "invalid_amount");
    const to = rawTo ?? null;
    const isLast = index === value.length - 1;
    let boundsValid = false;
    if (isNonNegativeInteger(from) && (to === null || isNonNegativeInteger(to))) {
      if (index === 0) {
        boundsValid = from === 0;
      } else {
        const previousTo = ranges[index - 1]?.to_value;
        const adjacent = previousTo !== null && previousTo !== undefined && from === previousTo;
        const classic = previousTo !== null && previousTo !== undefined && from === previousTo + 1;
        adjacentStyle ??= adjacent;
        boundsValid = adjacentStyle ? adjacent : classic;
      }
      boundsValid &&= isLast ? to === null : to !== null && to > from;
    }
    if (!boundsValid) errors.add(field, invalid);
    ranges.push({
      from_value: from as number,
      to_value: to as number | null,
      per_unit_amount: perUnit as string,
      flat_amount: flat as string,
    });
  });
  return ranges;
}

/**
 * Validates charge properties for a model the way Lago does, returning its error codes, or the properties normalised
 * (other models' keys stripped, Lago's defaults when `properties` is null or undefined).
 *
 * Ranges must start at 0, be contiguous in one style throughout (classic or adjacent), have `to_value` above
 * `from_value`, and end with an open range (`to_value` null).
 */
export function validateChargeProperties<M extends ChargeModel>(model: M, properties: unknown): ChargePropertiesValidation<M> {
  assertChargeModel(model);
  if (properties === undefined || properties === null) return { valid: true, properties: defaultChargeProperties(model) };
  const errors = new ErrorCollector();
  const props = isRecord(properties) ? properties : {};
  const normalised = (CHARGE_MODEL_REGISTRY[model] as ChargeModelDefinition<M>).validate(props, errors);
  if (!errors.empty) return { valid: false, errors: errors.errors };
  return { valid: true, properties: normalised as ChargePropertiesByModel[M] };
}

/**
 * A charge ready to price: validated properties plus the plan's included quantity and spending minimum. With a union
 * `M` (a model read from the database) any model's properties type-check; `priceCharge` still refuses malformed ones.
 */
export interface PricedCharge<M extends ChargeModel = ChargeModel> {
  model: M;
  properties: ChargePropertiesByModel[M];
  /** Units included in the plan before overage is billed (default 0). */
  includedQuantity?: Decimal;
  /** Spending minimum for a full period; a true-up tops the line up to it. */
  minAmountCents?: bigint | null;
}

/** The model and its properties, correlated so a switch on `model` narrows `properties`. */
type ModelWithProperties = { [M in ChargeModel]: { model: M; properties: ChargePropertiesByModel[M] } }[ChargeModel];

export interface ChargeUsage {
  /** Aggregated units for the period. */
  units: Decimal;
  /** Events behind the units; percentage fixed fees are per event. */
  eventsCount?: number;
  /** Per-event values in timestamp order; percentage free units per event need them. */
  eventValues?: readonly Decimal[];
}

export interface PriceChargeOptions {
  /** Fraction of the full period this line covers; prorates the spending minimum (default 1). */
  minimumProration?: Decimal;
}

export interface TierBreakdown {
  fromValue: number;
  toValue: number | null;
  units: Decimal;
  perUnitAmount: Decimal;
  flatAmount: Decimal;
  /** units × per-unit amount. */
  unitsAmount: Decimal;
  /** unitsAmount + flatAmount. */
  amount: Decimal;
}

export type ChargeBreakdown =
  | { model: "standard"; unitAmount: Decimal }
  | { model: "graduated"; tiers: TierBreakdown[] }
  | { model: "volume"; tiers: TierBreakdown[] }
  | { model: "package"; packageSize: number; packageAmount: Decimal; freeUnits: Decimal; paidUnits: Decimal; packages: Decimal }
  | {
      model: "percentage";
      rate: Decimal;
      freeUnits: Decimal;
      paidUnits: Decimal;
      percentageAmount: Decimal;
      eventsCount: number;
      freeEvents: number;
      paidEvents: number;
      fixedAmountPerEvent: Decimal;
      fixedAmountTotal: Decimal;
    };

export interface SpendingMinimum {
  minimumCents: bigint;
  proration: Decimal;
  /** minimumCents × proration, rounded half up. */
  proratedMinimumCents: bigint;
  trueUpCents: bigint;
}

export interface ChargePrice {
  model: ChargeModel;
  units: Decimal;
  /** Units covered by the included quantity. */
  includedUnits: Decimal;
  /** max(0, units − included quantity): what the model priced. */
  billableUnits: Decimal;
  /** Exact amount in major units. */
  amount: Decimal;
  /** `amount` rounded half up to the cent, once. */
  amountCents: bigint;
  breakdown: ChargeBreakdown;
  minimum: SpendingMinimum | null;
  /** Top-up to the prorated spending minimum (0 when none applies); a separate invoice line. */
  trueUpCents: bigint;
}

function amountOf(text: string): Decimal {
  const parsed = parseDecimal(text);
  if (parsed === null) throw new RangeError(`Not a decimal amount: ${JSON.stringify(text)}`);
  return parsed;
}

interface Tier {
  range: PricingRange;
  lower: Decimal;
  upper: Decimal | null;
  /** Parsed when a price first reaches the tier. */
  perUnitAmount?: Decimal;
  flatAmount?: Decimal;
}

/**
 * A charge's ranges as tiers, parsed once per ranges array (stored charge properties, never changed in place): a period
 * close prices one plan's for every subscription.
 */
const parsedTiers = new WeakMap<readonly PricingRange[], Tier[]>();

function tiersOf(ranges: readonly PricingRange[]): Tier[] {
  let tiers = parsedTiers.get(ranges);
  if (!tiers) {
    if (ranges.length === 0) throw new RangeError("A tiered charge needs at least one range");
    tiers = ranges.map((range, index) => ({
      range,
      lower: index === 0 ? ZERO : decimal(ranges[index - 1].to_value ?? 0),
      upper: range.to_value === null ? null : decimal(range.to_value),
    }));
    parsedTiers.set(ranges, tiers);
  }
  return tiers;
}

function maxOf(a: Decimal, b: Decimal): Decimal {
  return a.gte(b) ? a : b;
}

function tierBreakdown(tier: Tier, units: Decimal): TierBreakdown {
  const perUnitAmount = (tier.perUnitAmount ??= amountOf(tier.range.per_unit_amount));
  const flatAmount = (tier.flatAmount ??= amountOf(tier.range.flat_amount));
  const unitsAmount = units.mul(perUnitAmount);
  return {
    fromValue: tier.range.from_value,
    toValue: tier.range.to_value,
    units,
    perUnitAmount,
    flatAmount,
    unitsAmount,
    amount: unitsAmount.plus(flatAmount),
  };
}

/** Each tier bills the units inside it plus its flat fee once any unit falls in it; tiers above the total are absent. */
function priceGraduated(ranges: readonly PricingRange[], units: Decimal): TierBreakdown[] {
  const breakdown: TierBreakdown[] = [];
  for (const tier of tiersOf(ranges)) {
    const room = tier.upper === null ? null : tier.upper.minus(tier.lower);
    let inTier = maxOf(units.minus(tier.lower), ZERO);
    if (room !== null && inTier.gt(room)) inTier = room;
    if (inTier.isZero()) break;
    breakdown.push(tierBreakdown(tier, inTier));
    if (tier.upper === null || units.lte(tier.upper)) break;
  }
  return breakdown;
}

/** All units at the price of the one tier containing the total, plus that tier's flat fee (also at zero units, as Lago). */
function priceVolume(ranges: readonly PricingRange[], units: Decimal): TierBreakdown[] {
  const tiers = tiersOf(ranges);
  const tier = tiers.find((candidate) => candidate.upper === null || units.lte(candidate.upper)) ?? tiers[tiers.length - 1];
  return [tierBreakdown(tier, units)];
}

function pricePercentage(properties: PercentageProperties, units: Decimal, usage: ChargeUsage) {
  const rate = amountOf(properties.rate);
  const fixedAmountPerEvent = amountOf(properties.fixed_amount ?? "0");
  const freeEventsAllowance = properties.free_units_per_events ?? 0;
  const freeTotalAllowance = amountOf(properties.free_units_per_total_aggregation ?? "0");
  const values = usage.eventValues?.map((value) => decimal(value));

  let eventsCount = usage.eventsCount ?? values?.length;
  if (usage.eventsCount !== undefined && values !== undefined && usage.eventsCount !== values.length) {
    throw new RangeError(`eventsCount ${usage.eventsCount} disagrees with ${values.length} event values`);
  }
  const chargesFixedFees = !fixedAmountPerEvent.isZero() && !units.isZero();
  if (eventsCount === undefined) {
    if (chargesFixedFees) throw new RangeError("A percentage charge with a fixed amount needs the events count");
    eventsCount = 0;
  }
  const needsValues = freeEventsAllowance > 0 || (!freeTotalAllowance.isZero() && chargesFixedFees);
  if (needsValues && values === undefined) {
    throw new RangeError("A percentage charge with these free-unit rules needs the event values");
  }

  // Free units: the first N events' units, capped by the total allowance; or the total allowance alone.
  let freeUnits = ZERO;
  if (freeEventsAllowance > 0 && values) {
    freeUnits = values.slice(0, freeEventsAllowance).reduce((sum, value) => sum.plus(value), ZERO);
    if (!freeTotalAllowance.isZero() && freeUnits.gt(freeTotalAllowance)) freeUnits = freeTotalAllowance;
  } else if (!freeTotalAllowance.isZero()) {
    freeUnits = freeTotalAllowance;
  }
  if (freeUnits.gt(units)) freeUnits = units;
  if (freeUnits.isNegative()) freeUnits = ZERO;
  const paidUnits = units.minus(freeUnits);

  // Free events (no fixed fee): within the first N, and while the running total stays below the total allowance.
  let freeEvents = 0;
  if (freeEventsAllowance > 0 || !freeTotalAllowance.isZero()) {
    const candidates = freeEventsAllowance > 0 ? Math.min(freeEventsAllowance, eventsCount) : eventsCount;
    if (freeTotalAllowance.isZero()) {
      freeEvents = candidates;
    } else if (values) {
      let runningTotal = ZERO;
      for (const value of values.slice(0, candidates)) {
        runningTotal = runningTotal.plus(value);
        if (runningTotal.gte(freeTotalAllowance)) break;
        freeEvents += 1;
      }
    }
  }
  const paidEvents = Math.max(0, eventsCount - freeEvents);
  const percentageAmount = paidUnits.mul(rate).div(100);
  const fixedAmountTotal = chargesFixedFees ? fixedAmountPerEvent.mul(paidEvents) : ZERO;
  return {
    amount: percentageAmount.plus(fixedAmountTotal),
    breakdown: {
      model: "percentage" as const,
      rate,
      freeUnits,
      paidUnits,
      percentageAmount,
      eventsCount,
      freeEvents,
      paidEvents,
      fixedAmountPerEvent,
      fixedAmountTotal,
    },
  };
}

function sumTiers(tiers: readonly TierBreakdown[]): Decimal {
  return tiers.reduce((sum, tier) => sum.plus(tier.amount), ZERO);
}

function priceModel(charge: ModelWithProperties, units: Decimal, usage: ChargeUsage): { amount: Decimal; breakdown: ChargeBreakdown } {
  return (CHARGE_MODEL_REGISTRY[charge.model] as ChargeModelDefinition<ChargeModel>).price(charge.properties, units, usage);
}

/** Prices one charge for a period's usage. Throws RangeError on inputs no validated charge can produce. */
export function priceCharge<M extends ChargeModel>(
  charge: PricedCharge<M>,
  usage: ChargeUsage,
  options: PriceChargeOptions = {},
): ChargePrice {
  assertChargeModel(charge.model);
  const units = decimal(usage.units);
  const included = decimal(charge.includedQuantity ?? 0);
  if (included.isNegative()) throw new RangeError("The included quantity cannot be negative");
  const billableUnits = maxOf(units.minus(included), ZERO);
  const includedUnits = maxOf(units.minus(billableUnits), ZERO);
  const { amount, breakdown } = priceModel(charge as ModelWithProperties, billableUnits, usage);
  const amountCents = roundToCents(amount);

  let minimum: SpendingMinimum | null = null;
  if (charge.minAmountCents !== undefined && charge.minAmountCents !== null && charge.minAmountCents > BigInt(0)) {
    const proration = decimal(options.minimumProration ?? 1);
    if (proration.isNegative() || proration.gt(1)) throw new RangeError("The minimum proration must be between 0 and 1");
    const proratedMinimumCents = scaleCents(charge.minAmountCents, proration);
    const shortfall = proratedMinimumCents - amountCents;
    minimum = {
      minimumCents: charge.minAmountCents,
      proration,
      proratedMinimumCents,
      trueUpCents: shortfall > BigInt(0) ? shortfall : BigInt(0),
    };
  }
  return {
    model: charge.model,
    units,
    includedUnits,
    billableUnits,
    amount,
    amountCents,
    breakdown,
    minimum,
    trueUpCents: minimum?.trueUpCents ?? BigInt(0),
  };
}

/**
 * Everything one charge model is, in one place: adding a model is a name in CHARGE_MODELS, its properties type, and its
 * entry here (with its tests) — plus the Prisma enum value, which tests/unit/catalog-vocabulary.test.ts checks.
 */
export interface ChargeModelDefinition<M extends ChargeModel> {
  /** As the console and documents name it. */
  label: string;
  /** Lago's properties when a charge is created without any. */
  defaults(): ChargePropertiesByModel[M];
  /** Checks raw properties, adding Lago's error codes to `errors`; returns them normalised (other keys stripped). */
  validate(props: Record<string, unknown>, errors: ErrorCollector): ChargePropertiesByModel[M];
  /** Exact amount (major units) and breakdown for the billable units. */
  price(properties: ChargePropertiesByModel[M], units: Decimal, usage: ChargeUsage): { amount: Decimal; breakdown: ChargeBreakdown };
}

const openRange = (): PricingRange[] => [{ from_value: 0, to_value: null, per_unit_amount: "0", flat_amount: "0" }];

export const CHARGE_MODEL_REGISTRY: { readonly [M in ChargeModel]: ChargeModelDefinition<M> } = {
  standard: {
    label: "Standard (per unit)",
    defaults: () => ({ amount: "0" }),
    validate(props, errors) {
      if (!isAmount(props.amount)) errors.add("amount", "invalid_amount");
      return { amount: props.amount as string };
    },
    price(properties, units) {
      const unitAmount = amountOf(properties.amount);
      return { amount: units.mul(unitAmount), breakdown: { model: "standard", unitAmount } };
    },
  },
  graduated: {
    label: "Graduated tiers",
    defaults: () => ({ graduated_ranges: openRange() }),
    validate: (props, errors) => ({ graduated_ranges: validateRanges(props.graduated_ranges, "graduated_ranges", errors) }),
    price(properties, units) {
      const tiers = priceGraduated(properties.graduated_ranges, units);
      return { amount: sumTiers(tiers), breakdown: { model: "graduated", tiers } };
    },
  },
  volume: {
    label: "Volume tiers",
    defaults: () => ({ volume_ranges: openRange() }),
    validate: (props, errors) => ({ volume_ranges: validateRanges(props.volume_ranges, "volume_ranges", errors) }),
    price(properties, units) {
      const tiers = priceVolume(properties.volume_ranges, units);
      return { amount: sumTiers(tiers), breakdown: { model: "volume", tiers } };
    },
  },
  package: {
    label: "Package",
    defaults: () => ({ package_size: 1, amount: "0", free_units: 0 }),
    validate(props, errors) {
      if (!isAmount(props.amount)) errors.add("amount", "invalid_amount");
      if (!(isNonNegativeInteger(props.package_size) && props.package_size > 0)) errors.add("package_size", "invalid_package_size");
      if (!isNonNegativeInteger(props.free_units)) errors.add("free_units", "invalid_free_units");
      return { amount: props.amount as string, package_size: props.package_size as number, free_units: props.free_units as number };
    },
    price(properties, units) {
      const { package_size: packageSize, free_units: freeUnitsAllowance } = properties;
      if (!(Number.isSafeInteger(packageSize) && packageSize > 0)) throw new RangeError(`Invalid package size: ${packageSize}`);
      const packageAmount = amountOf(properties.amount);
      const freeUnits = units.lt(freeUnitsAllowance) ? units : decimal(freeUnitsAllowance);
      const paidUnits = units.minus(freeUnits);
      const packages = paidUnits.div(packageSize).ceil();
      return { amount: packages.mul(packageAmount), breakdown: { model: "package", packageSize, packageAmount, freeUnits, paidUnits, packages } };
    },
  },
  percentage: {
    label: "Percentage",
    defaults: () => ({ rate: "0" }),
    validate(props, errors) {
      if (!isAmount(props.rate)) errors.add("rate", "invalid_rate");
      const percentage: PercentageProperties = { rate: props.rate as string };
      if (props.fixed_amount !== undefined && props.fixed_amount !== null) {
        if (!isAmount(props.fixed_amount)) errors.add("fixed_amount", "invalid_fixed_amount");
        percentage.fixed_amount = props.fixed_amount as string;
      }
      if (props.free_units_per_events !== undefined && props.free_units_per_events !== null) {
        if (!(isNonNegativeInteger(props.free_units_per_events) && props.free_units_per_events > 0)) {
          errors.add("free_units_per_events", "invalid_free_units_per_events");
        }
        percentage.free_units_per_events = props.free_units_per_events as number;
      }
      if (props.free_units_per_total_aggregation !== undefined && props.free_units_per_total_aggregation !== null) {
        if (!isAmount(props.free_units_per_total_aggregation)) {
          errors.add("free_units_per_total_aggregation", "invalid_free_units_per_total_aggregation");
        }
        percentage.free_units_per_total_aggregation = props.free_units_per_total_aggregation as string;
      }
      return percentage;
    },
    price: (properties, units, usage) => pricePercentage(properties, units, usage),
  },
};
