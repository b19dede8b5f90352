/**
 * Dual-run reconciliation: per customer and month, what Nexa Billing computes for the imported shadow subscriptions
 * (base fee prorated to the day as the engine does, plus usage rated by the engine's charge models) against the subtotals
 * of NexaCloud's own invoice items for that YYYY-MM. Both sides are pre-tax.
 *
 * Reads NexaCloud read-only; writes only Reconciliation rows (one per service, customer and month, upserted). A customer
 * whose amount cannot be computed gets an `error` row with the reason; it never stops the others.
 */
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma, ReconciliationStatus } from "@/lib/generated/prisma/client";
import { computeMonth, shadowSubscriptionsNearMonth, withinTolerance, type ComputedLine, type ShadowSubscription, type Tolerance } from "@/lib/migration/shadow-month";
import { IMPORT_KIND, type ImportLogEntry } from "./importer";
import { readInvoiceItems, readSubscriptionsCovering, type SourceInvoiceItem } from "./source-database";

export { withinTolerance, type ComputedLine, type Tolerance };

export interface ReconciliationDetails {
  computed: ComputedLine[];
  external: { id: string; invoiceId: string; description: string; subtotalCents: string }[];
  tolerance: { cents: string; percent: string };
  /** NexaCloud subscriptions covering the month that are not imported, with the import's reason when it logged one. */
  missingSubscriptions?: MissingSubscription[];
}

export interface MissingSubscription {
  externalId: string;
  reason: string | null;
  importRunId: string | null;
}

export interface ReconciliationRunSummary {
  period: string;
  rows: number;
  match: number;
  delta: number;
  error: number;
  totalDeltaCents: bigint;
  /** NexaCloud users invoiced that month with no imported customer: no row can hold them. */
  unlinked: { userId: string; externalCents: bigint }[];
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(text: string): boolean {
  return PERIOD.test(text);
}

/** Reconciles one month for the service's imported customers against NexaCloud's invoice items. */
export async function reconcilePeriod(client: Db, input: { dsn: string; serviceId: string; period: string; tolerance: Tolerance }): Promise<ReconciliationRunSummary> {
  const { period, serviceId, tolerance } = input;
  if (!isPeriod(period)) throw new DomainError("invalid", "validation_errors", { period: ["invalid_period"] }, "Enter the month as YYYY-MM.");
  const items = await readInvoiceItems(input.dsn, period);
  const itemsByUser = new Map<string, SourceInvoiceItem[]>();
  for (const item of items) itemsByUser.set(item.user_id, [...(itemsByUser.get(item.user_id) ?? []), item]);

  // Subscriptions that may overlap the month in any timezone, narrowed per customer.
  const [links, subscriptions] = await Promise.all([
    client.accountLink.findMany({ where: { serviceId, deletedAt: null }, select: { externalId: true, customerId: true } }),
    shadowSubscriptionsNearMonth(client, serviceId, period),
  ]);
  const missingByUser = await subscriptionsNotImported(client, input.dsn, serviceId, period);
  const customerOfUser = new Map(links.map((l) => [l.externalId, l.customerId]));
  const userOfCustomer = new Map(links.map((l) => [l.customerId, l.externalId]));
  const subsByCustomer = new Map<string, ShadowSubscription[]>();
  for (const sub of subscriptions) subsByCustomer.set(sub.customerId, [...(subsByCustomer.get(sub.customerId) ?? []), sub]);

  const summary: ReconciliationRunSummary = { period, rows: 0, match: 0, delta: 0, error: 0, totalDeltaCents: BigInt(0), unlinked: [] };
  const customers = new Set<string>(subsByCustomer.keys());
  for (const [userId, userItems] of itemsByUser) {
    const customerId = customerOfUser.get(userId);
    if (customerId) customers.add(customerId);
    else summary.unlinked.push({ userId, externalCents: userItems.reduce((s, i) => s + BigInt(i.subtotal_cents), BigInt(0)) });
  }

  for (const customerId of customers) {
    const userId = userOfCustomer.get(customerId);
    const external = (userId ? itemsByUser.get(userId) : undefined) ?? [];
    const externalCents = external.reduce((s, i) => s + BigInt(i.subtotal_cents), BigInt(0));
    const details: ReconciliationDetails = {
      computed: [],
      external: external.map((i) => ({ id: i.id, invoiceId: i.invoice_id, description: i.description, subtotalCents: String(i.subtotal_cents) })),
      tolerance: { cents: tolerance.cents.toString(), percent: tolerance.percent },
    };
    let row: { status: ReconciliationStatus; computedCents: bigint | null; deltaCents: bigint | null; note: string | null };
    try {
      details.computed = await computeMonth(client, subsByCustomer.get(customerId) ?? [], period);
      if (details.computed.length === 0 && external.length === 0) continue; // nothing on either side this month
      // NexaCloud invoiced a subscription we do not have: its amount is an import failure, not a price difference.
      const missing = external.length > 0 && userId ? (missingByUser.get(userId) ?? []) : [];
      if (missing.length) details.missingSubscriptions = missing;
      const missingNote = missing.map((m) => `NexaCloud subscription ${m.externalId} was invoiced for ${period} but ${m.reason ? `failed to import: ${m.reason}` : "is not imported (no reason in the last import's log)."}`).join(" ");
      if (details.computed.length === 0) {
        row = {
          status: "error", computedCents: null, deltaCents: null,
          note: `No imported subscription covers ${period}, but NexaCloud invoiced ${external.length} item(s): ${missingNote || `see the import log for user ${userId}'s subscriptions.`}`,
        };
      } else if (missing.length) {
        const computedCents = details.computed.reduce((s, l) => s + BigInt(l.amountCents), BigInt(0));
        row = { status: "error", computedCents, deltaCents: null, note: missingNote };
      } else {
        const computedCents = details.computed.reduce((s, l) => s + BigInt(l.amountCents), BigInt(0));
        const deltaCents = computedCents - externalCents;
        const match = withinTolerance(deltaCents, externalCents, tolerance);
        row = {
          status: match ? "match" : "delta", computedCents, deltaCents,
          note: external.length === 0 ? `NexaCloud issued no invoice item for ${period}.` : deltaCents !== BigInt(0) && match ? "Within tolerance." : null,
        };
      }
    } catch (error) {
      row = { status: "error", computedCents: null, deltaCents: null, note: `Cannot compute: ${(error as Error).message}` };
    }
    const data = { ...row, externalCents, details: details as unknown as Prisma.InputJsonValue, computedAt: new Date() };
    await client.reconciliation.upsert({
      where: { serviceId_customerId_period: { serviceId, customerId, period } },
      create: { serviceId, customerId, period, ...data },
      update: data,
    });
    summary.rows += 1;
    summary[row.status] += 1;
    summary.totalDeltaCents += row.deltaCents ?? BigInt(0);
  }
  return summary;
}

/**
 * Per NexaCloud user, the subscriptions covering the month (with a plan, so NexaCloud invoiced them) that have no shadow
 * subscription here, with the reason the last real import logged for each.
 */
async function subscriptionsNotImported(client: Db, dsn: string, serviceId: string, period: string): Promise<Map<string, MissingSubscription[]>> {
  const covering = await readSubscriptionsCovering(dsn, period);
  const imported = new Set(
    (await client.subscription.findMany({ where: { serviceId, externalId: { in: covering.map((s) => s.id) } }, select: { externalId: true } })).map((s) => s.externalId),
  );
  const notImported = covering.filter((s) => !imported.has(s.id));
  const byUser = new Map<string, MissingSubscription[]>();
  if (notImported.length === 0) return byUser;
  const lastRun = await client.importRun.findFirst({
    where: { kind: IMPORT_KIND, serviceId, dryRun: false, status: "succeeded" },
    orderBy: { startedAt: "desc" },
    select: { id: true, log: true },
  });
  const reasons = new Map<string, string>();
  for (const entry of (lastRun?.log ?? []) as unknown as ImportLogEntry[]) {
    if (entry.entity === "subscription" && entry.sourceId && (entry.outcome === "failed" || entry.outcome === "skipped")) reasons.set(entry.sourceId, entry.message);
  }
  for (const sub of notImported) {
    const reason = reasons.get(sub.id) ?? null;
    byUser.set(sub.user_id, [...(byUser.get(sub.user_id) ?? []), { externalId: sub.id, reason, importRunId: reason ? lastRun!.id : null }]);
  }
  return byUser;
}
