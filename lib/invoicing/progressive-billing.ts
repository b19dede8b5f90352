import { uuidArray } from "@/lib/db/sql";
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { decimal } from "@/lib/billing/decimal";
import { isoInstant } from "@/lib/billing/calendar-date";

/**
 * What progressive-billing invoices (issued during a period when usage crossed a usage threshold; see
 * lib/usage-monitoring/evaluate-usage.ts) already billed of a subscription's period. Voided ones do not count: their
 * usage is billed again by the next progressive invoice or by the period close.
 */
type Tx = Prisma.TransactionClient;

/**
 * The key progressive billing tracks usage under: the root charge (a plan override copies the parent plan's charges
 * under new ids, `parentId` naming the original) and the filter bucket of the line (a charge with filters has one line
 * per filter plus one for the rest), so an override mid-period or a second filter never looks unbilled.
 */
export function progressiveLineKey(rootChargeId: string | null, filter: unknown): string {
  return `${rootChargeId ?? ""}|${filterBucketKey(filter)}`;
}

/** A filter bucket as stored in a usage line's `details.filter`: absent, "default", or {index, values}; keyed by values. */
function filterBucketKey(filter: unknown): string {
  if (filter === null || filter === undefined) return "";
  if (typeof filter === "string") return filter;
  const values = (filter as { values?: unknown }).values;
  return `values:${stableJson(values ?? null)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export interface BilledSoFar { amountCents: bigint; quantity: string }

/**
 * Per (root charge, filter bucket), what the period's issued progressive-billing invoices of the subscription billed
 * (amount and units).
 */
export async function progressivelyBilledByCharge(tx: Tx, subscriptionId: string, periodStart: Date): Promise<Map<string, BilledSoFar>> {
  const rows = await tx.$queryRaw<{ rootChargeId: string | null; filter: unknown; amountCents: bigint; quantity: string }[]>`
    SELECT COALESCE(c."parentId", l."chargeId") AS "rootChargeId", l.details::jsonb -> 'filter' AS filter,
           sum(l."amountCents")::bigint AS "amountCents", sum(l.quantity)::text AS quantity
      FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId" LEFT JOIN "Charge" c ON c.id = l."chargeId"
     WHERE l."subscriptionId" = ${subscriptionId}::uuid AND l.kind = 'usage_charge'
       AND i."invoiceType" = 'progressive_billing' AND i.status IN ('finalized', 'paid') AND i."periodStart" = ${periodStart}
     GROUP BY 1, 2`;
  const billed = new Map<string, BilledSoFar>();
  for (const r of rows) {
    // jsonb groups equal filters whatever their key order; the key normalises them once more for the lines' own JSON.
    const key = progressiveLineKey(r.rootChargeId, r.filter);
    const before = billed.get(key);
    billed.set(key, before
      ? { amountCents: before.amountCents + BigInt(r.amountCents), quantity: decimal(before.quantity).plus(decimal(r.quantity)).toString() }
      : { amountCents: BigInt(r.amountCents), quantity: r.quantity });
  }
  return billed;
}

/**
 * The lines a progressive-billing invoice bills: each usage line so far minus what earlier progressive invoices billed
 * under its key (see progressiveLineKey); nothing for a line already billed in full.
 */
export function progressiveDelta<L extends { chargeId: string | null; amountCents: bigint; quantity: string; details: unknown }>(
  lines: L[],
  billed: Map<string, BilledSoFar>,
  rootChargeOf: (chargeId: string) => string,
): { line: L; before: BilledSoFar; amountCents: bigint; quantity: string }[] {
  const delta: { line: L; before: BilledSoFar; amountCents: bigint; quantity: string }[] = [];
  for (const line of lines) {
    const key = progressiveLineKey(line.chargeId === null ? null : rootChargeOf(line.chargeId), (line.details as { filter?: unknown } | null)?.filter);
    const before = billed.get(key) ?? { amountCents: BigInt(0), quantity: "0" };
    const amountCents = line.amountCents - before.amountCents;
    if (amountCents <= BigInt(0)) continue;
    delta.push({ line, before, amountCents, quantity: decimal(line.quantity).minus(decimal(before.quantity)).toString() });
  }
  return delta;
}

/**
 * Pre-tax credits of a period-close invoice: per subscription, what issued progressive-billing invoices already billed
 * for the period the close bills (Lago's progressive_billing_credit_amount_cents). One query for any number of them.
 */
export async function progressiveBillingCredits(tx: Tx | Db, windows: { subscriptionId: string; periodStart: Date }[]): Promise<Map<string, bigint>> {
  if (!windows.length) return new Map();
  // Progressive-billing invoices of these periods first (a materialised step, through the partial index of progressive
  // invoices by period), then their lines of these subscriptions: PostgreSQL never reads the ledger's lines to find
  // them, even when its statistics are out of date. Periods and subscriptions are matched as pairs here.
  const wanted = new Set(windows.map((w) => progressiveCreditKey(w.subscriptionId, w.periodStart)));
  const periodStarts = [...new Set(windows.map((w) => w.periodStart.getTime()))].map((t) => new Date(t));
  const rows = await tx.$queryRaw<{ subscriptionId: string; periodStart: Date; amountCents: bigint }[]>`
    WITH progressive AS MATERIALIZED (
      SELECT id, "periodStart" FROM "Invoice"
       WHERE "invoiceType" = 'progressive_billing' AND "periodStart" = ANY(${periodStarts}::timestamptz[]) AND status IN ('finalized', 'paid')
    )
    SELECT l."subscriptionId", i."periodStart", sum(l."amountCents")::bigint AS "amountCents"
      FROM progressive i JOIN "InvoiceLine" l ON l."invoiceId" = i.id
     WHERE l."subscriptionId" = ANY(${uuidArray([...new Set(windows.map((w) => w.subscriptionId))])})
     GROUP BY l."subscriptionId", i."periodStart"`;
  const credits = new Map<string, bigint>();
  for (const r of rows) {
    const key = progressiveCreditKey(r.subscriptionId, r.periodStart);
    if (wanted.has(key)) credits.set(key, BigInt(r.amountCents));
  }
  return credits;
}

export const progressiveCreditKey = (subscriptionId: string, periodStart: Date) => `${subscriptionId}:${isoInstant(periodStart)}`;
