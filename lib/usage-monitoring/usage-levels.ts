import { decimal, type Decimal } from "@/lib/billing/decimal";

/**
 * Threshold arithmetic shared by progressive billing (a plan's usage thresholds, in cents) and usage alerts (their
 * thresholds, in cents or units). Pure. A recurring threshold repeats every `step` above the highest fixed threshold
 * (Lago: "retriggered when this threshold is reached after the last non-recurring threshold").
 */

export interface UsageThresholdRule {
  id: string;
  amountCents: bigint;
  recurring: boolean;
}

export interface ReachedLevel<T> {
  threshold: T;
  /** The usage amount this level stands for: the threshold's amount, or base + k × step for a recurring one. */
  levelCents: bigint;
}

const ZERO = BigInt(0);

/**
 * Every level a usage amount has reached, in increasing order: fixed thresholds at or below it, and the highest level
 * of the recurring threshold (the lower recurrences are implied; recording them one by one could be millions of rows).
 */
export function reachedLevels<T extends UsageThresholdRule>(thresholds: readonly T[], usageCents: bigint): ReachedLevel<T>[] {
  const fixed = thresholds.filter((t) => !t.recurring).sort((a, b) => (a.amountCents < b.amountCents ? -1 : a.amountCents > b.amountCents ? 1 : 0));
  const levels: ReachedLevel<T>[] = fixed.filter((t) => t.amountCents <= usageCents).map((t) => ({ threshold: t, levelCents: t.amountCents }));
  const recurring = thresholds.find((t) => t.recurring && t.amountCents > ZERO);
  if (recurring) {
    const base = fixed.length ? fixed[fixed.length - 1].amountCents : ZERO;
    if (usageCents >= base + recurring.amountCents) {
      const times = (usageCents - base) / recurring.amountCents;
      levels.push({ threshold: recurring, levelCents: base + times * recurring.amountCents });
    }
  }
  return levels;
}

export interface AlertThreshold {
  code: string | null;
  value: string;
  recurring: boolean;
}

/** At most this many recurrences are listed in one trigger (a jump across more lists the highest ones). */
const MAX_LISTED_RECURRENCES = 100;

/**
 * The alert thresholds crossed going from `previous` to `current` (previous < value ≤ current), in increasing order;
 * a recurring threshold is listed once per recurrence crossed, with the value of that recurrence.
 */
export function crossedAlertThresholds(thresholds: readonly AlertThreshold[], previous: Decimal.Value, current: Decimal.Value): AlertThreshold[] {
  const from = decimal(previous);
  const to = decimal(current);
  if (!to.gt(from)) return [];
  const fixed = thresholds.filter((t) => !t.recurring).sort((a, b) => decimal(a.value).cmp(decimal(b.value)));
  const crossed: AlertThreshold[] = fixed.filter((t) => decimal(t.value).gt(from) && decimal(t.value).lte(to)).map((t) => ({ code: t.code, value: decimal(t.value).toString(), recurring: false }));
  const recurring = thresholds.find((t) => t.recurring);
  if (recurring && decimal(recurring.value).gt(0)) {
    const step = decimal(recurring.value);
    const base = fixed.length ? decimal(fixed[fixed.length - 1].value) : decimal(0);
    // Recurrences k ≥ 1 with from < base + k·step ≤ to.
    const first = Math.max(1, from.minus(base).div(step).floor().plus(1).toNumber());
    const last = to.minus(base).div(step).floor().toNumber();
    for (let k = Math.max(first, last - MAX_LISTED_RECURRENCES + 1); k <= last; k++) {
      crossed.push({ code: recurring.code, value: base.plus(step.times(k)).toString(), recurring: true });
    }
  }
  return crossed;
}
