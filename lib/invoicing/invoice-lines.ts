import type { Decimal } from "@/lib/billing/decimal";
import type { ChargeBreakdown } from "@/lib/billing/charge-models";
import type { InvoiceLineKind, Prisma } from "@/lib/generated/prisma/client";
import type { RatedCharge } from "@/lib/rating/rate-subscription-usage";
import { filterLineName } from "@/lib/rating/charge-filters";
import type { FeeCharge } from "./billing-step";

/** An invoice line before it is written: what was billed, why, and how the amount was reached. */
export interface InvoiceLineDraft {
  subscriptionId: string;
  chargeId: string | null;
  kind: InvoiceLineKind;
  description: string;
  quantity: string;
  includedQuantity: string;
  unitAmount: string | null;
  amountCents: bigint;
  details: Prisma.InputJsonValue;
  periodStart: Date;
  periodEnd: Date;
}

/** Decimals and bigints as strings, so pricing detail survives JSON exactly. (Loops rather than entries/fromEntries: the close runs this on every line.) */
function plain(value: unknown): Prisma.InputJsonValue {
  if (value === null || value === undefined) return null as unknown as Prisma.InputJsonValue;
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return value as Prisma.InputJsonValue;
  if ("toFixed" in value && "isNegative" in value) return (value as Decimal).toString();
  if (Array.isArray(value)) {
    const items = new Array<Prisma.InputJsonValue>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = plain(value[i]);
    return items;
  }
  const fields: Record<string, Prisma.InputJsonValue> = {};
  for (const key of Object.keys(value)) {
    const field = plain((value as Record<string, unknown>)[key]);
    // A "__proto__" key (a filter value names it) stays a key, as Object.fromEntries keeps it.
    if (key === "__proto__") Object.defineProperty(fields, key, { value: field, enumerable: true, writable: true, configurable: true });
    else fields[key] = field;
  }
  return fields;
}

export function feeLine(subscriptionId: string, planName: string, fee: FeeCharge, timing: "in_advance" | "in_arrears"): InvoiceLineDraft {
  const { proration, period } = fee;
  const description = `${planName} — ${proration.fromDate} to ${proration.toDate}${fee.prorated ? ` (${proration.days} of ${proration.periodDays} days)` : ""}`;
  return {
    subscriptionId,
    chargeId: null,
    kind: "subscription_fee",
    description,
    quantity: "1",
    includedQuantity: "0",
    unitAmount: null,
    amountCents: proration.amountCents,
    details: plain({ timing, fromDate: proration.fromDate, toDate: proration.toDate, days: proration.days, periodDays: proration.periodDays, prorated: fee.prorated, exactAmount: proration.amount }),
    periodStart: period.start,
    periodEnd: period.end,
  };
}

function unitAmountOf(breakdown: ChargeBreakdown): string | null {
  return breakdown.model === "standard" ? breakdown.unitAmount.toString() : null;
}

/** Usage lines of one subscription: one per charge with usage or an amount (a charge with filters: one per filter and
 *  one for its default bucket, each named as Lago names it), plus spending-minimum true-ups. */
export function usageLines(subscriptionId: string, rated: RatedCharge[], window: { start: Date; end: Date }): InvoiceLineDraft[] {
  const lines: InvoiceLineDraft[] = [];
  for (const { charge, aggregate, price, filter } of rated) {
    const chargeName = charge.invoiceDisplayName ?? charge.billableMetric.name;
    const name = filter?.filter ? filterLineName(chargeName, filter.filter) : chargeName;
    if (!price.units.isZero() || price.amountCents !== BigInt(0)) {
      lines.push({
        subscriptionId,
        chargeId: charge.id,
        kind: "usage_charge",
        description: name,
        quantity: price.units.toString(),
        includedQuantity: price.includedUnits.toString(),
        unitAmount: unitAmountOf(price.breakdown),
        amountCents: price.amountCents,
        details: plain({ model: price.model, billableUnits: price.billableUnits, exactAmount: price.amount, breakdown: price.breakdown, eventsCount: aggregate.eventsCount, ignoredEvents: aggregate.ignoredEvents.length,
          ...(filter ? { filter: filter.filter ? { index: filter.index, values: filter.filter.values } : "default" } : {}) }),
        periodStart: window.start,
        periodEnd: window.end,
      });
    }
    if (price.trueUpCents > BigInt(0)) {
      lines.push({
        subscriptionId,
        chargeId: charge.id,
        kind: "minimum_true_up",
        description: `${name} — minimum spend`,
        quantity: "1",
        includedQuantity: "0",
        unitAmount: null,
        amountCents: price.trueUpCents,
        details: plain(price.minimum),
        periodStart: window.start,
        periodEnd: window.end,
      });
    }
  }
  return lines;
}
