/**
 * How a usage line was priced, in words: the same lines on the PDF, the console's invoice page and the portal's, read
 * from what the period close stored on the line (`details.breakdown`, decimals as strings).
 */
interface StoredTier {
  fromValue: number;
  toValue: number | null;
  units: string;
  perUnitAmount: string;
  flatAmount: string;
  amount: string;
}

type StoredBreakdown =
  | { model: "standard"; unitAmount: string }
  | { model: "graduated" | "volume"; tiers: StoredTier[] }
  | { model: "package"; packageSize: number; packageAmount: string; freeUnits: string; paidUnits: string; packages: string }
  | { model: "percentage"; rate: string; freeUnits: string; paidUnits: string; percentageAmount: string; paidEvents: number; fixedAmountPerEvent: string; fixedAmountTotal: string };

export interface PricedLine {
  kind: string;
  quantity: { toString(): string };
  includedQuantity: { toString(): string; isZero(): boolean };
  details: unknown;
}

/** A tier's range as printed: "0–100", "101 and above" (never "infinity"). */
export function tierRange(fromValue: number, toValue: number | null): string {
  return toValue === null ? `${fromValue} and above` : `${fromValue}–${toValue}`;
}

/** A price in dollars with at least two decimals and every decimal it has ("$0.0025", "$2.50"). */
export function priceText(amount: string): string {
  const negative = amount.startsWith("-");
  const [whole, fraction = ""] = (negative ? amount.slice(1) : amount).split(".");
  const digits = fraction.replace(/0+$/, "").padEnd(2, "0");
  return `${negative ? "-" : ""}$${Number(whole).toLocaleString("en-CA")}.${digits}`;
}

const isZero = (text: string) => /^-?0*(\.0*)?$/.test(text);

/** The pricing explanation of a usage line, one sentence a line; none for other kinds of line. */
export function usagePricingLines(line: PricedLine): string[] {
  if (line.kind !== "usage_charge") return [];
  const details = (line.details ?? {}) as { breakdown?: StoredBreakdown; billableUnits?: string };
  const units = line.quantity.toString();
  const lines: string[] = [];
  if (!line.includedQuantity.isZero()) {
    lines.push(`${units} units, ${line.includedQuantity.toString()} included in the plan: ${details.billableUnits ?? "the rest"} billed`);
  }
  const breakdown = details.breakdown;
  switch (breakdown?.model) {
    case "standard":
      lines.push(`${details.billableUnits ?? units} × ${priceText(breakdown.unitAmount)} per unit`);
      break;
    case "graduated":
    case "volume":
      if (breakdown.model === "volume") lines.push("Volume pricing: every unit at the price of the tier the total falls in");
      for (const tier of breakdown.tiers) {
        if (breakdown.model === "graduated" && isZero(tier.units)) continue;
        const flat = isZero(tier.flatAmount) ? "" : ` + ${priceText(tier.flatAmount)} flat`;
        lines.push(`Tier ${tierRange(tier.fromValue, tier.toValue)}: ${tier.units} × ${priceText(tier.perUnitAmount)}${flat} = ${priceText(tier.amount)}`);
      }
      break;
    case "package":
      lines.push(`${breakdown.paidUnits} units after ${breakdown.freeUnits} free: ${breakdown.packages} package(s) of ${breakdown.packageSize} × ${priceText(breakdown.packageAmount)}`);
      break;
    case "percentage":
      lines.push(`${breakdown.rate} % of ${priceText(breakdown.paidUnits)}${isZero(breakdown.fixedAmountTotal) ? "" : ` + ${breakdown.paidEvents} × ${priceText(breakdown.fixedAmountPerEvent)} per event`}`);
      break;
  }
  return lines;
}
