import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * What progressive-billing invoices (issued during a period when usage crossed a usage threshold; see
 * lib/usage-monitoring/evaluate-usage.ts) already billed of a subscription's period. Voided ones do not count: their
 * usage is billed again by the next progressive invoice or by the period close.
 */
type Tx = Prisma.TransactionClient;

/** Per charge, what the period's issued progressive-billing invoices of the subscription billed (amount and units). */
export async function progressivelyBilledByCharge(tx: Tx, subscriptionId: string, periodStart: Date): Promise<Map<string, { amountCents: bigint; quantity: string }>> {
  const rows = await tx.$queryRaw<{ chargeId: string | null; amountCents: bigint; quantity: string }[]>`
    SELECT l."chargeId", sum(l."amountCents")::bigint AS "amountCents", sum(l.quantity)::text AS quantity
      FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId"
     WHERE l."subscriptionId" = ${subscriptionId}::uuid AND l.kind = 'usage_charge'
       AND i."invoiceType" = 'progressive_billing' AND i.status IN ('finalized', 'paid') AND i."periodStart" = ${periodStart}
     GROUP BY l."chargeId"`;
  return new Map(rows.map((r) => [r.chargeId ?? "", { amountCents: BigInt(r.amountCents), quantity: r.quantity }]));
}

/**
 * Pre-tax credits of a period-close invoice: per subscription, what issued progressive-billing invoices already billed
 * for the period the close bills (Lago's progressive_billing_credit_amount_cents). One query for any number of them.
 */
export async function progressiveBillingCredits(tx: Tx | Db, windows: { subscriptionId: string; periodStart: Date }[]): Promise<Map<string, bigint>> {
  if (!windows.length) return new Map();
  const rows = await tx.$queryRaw<{ subscriptionId: string; periodStart: Date; amountCents: bigint }[]>`
    SELECT l."subscriptionId", i."periodStart", sum(l."amountCents")::bigint AS "amountCents"
      FROM "InvoiceLine" l JOIN "Invoice" i ON i.id = l."invoiceId"
      JOIN unnest(${windows.map((w) => w.subscriptionId)}::uuid[], ${windows.map((w) => w.periodStart)}::timestamptz[]) AS w(sub, ps)
        ON l."subscriptionId" = w.sub AND i."periodStart" = w.ps
     WHERE i."invoiceType" = 'progressive_billing' AND i.status IN ('finalized', 'paid')
     GROUP BY l."subscriptionId", i."periodStart"`;
  return new Map(rows.map((r) => [`${r.subscriptionId}:${r.periodStart.toISOString()}`, BigInt(r.amountCents)]));
}

export const progressiveCreditKey = (subscriptionId: string, periodStart: Date) => `${subscriptionId}:${periodStart.toISOString()}`;
