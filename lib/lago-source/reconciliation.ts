/**
 * Dual-run reconciliation against Lago: per customer and month, what Nexa Billing computes for the imported shadow
 * subscriptions (lib/migration/shadow-month.ts) against the fees of the subscription invoices Lago finalized for that
 * month. A fee belongs to the month its service period starts in, in the customer's timezone (an in-advance fee to the
 * month it pays for, usage to the month it was used), so advance and arrears plans reconcile alike. Both sides are
 * pre-tax (Lago's fee `amount_cents`; its taxes are left out).
 *
 * Reads Lago read-only; writes only Reconciliation rows (one per service, customer and month, upserted). A customer
 * whose amount cannot be computed gets an `error` row with the reason; so does a customer Lago billed for a
 * subscription that failed to import (naming it and the import's reason), never a `delta`.
 */
import { createHash } from "node:crypto";
import { localDate } from "@/lib/billing/calendar-date";
import type { Db } from "@/lib/db/prisma";
import type { Prisma, ReconciliationStatus } from "@/lib/generated/prisma/client";
import { monthEnd } from "@/lib/migration/months";
import { computeMonth, shadowSubscriptionsNearMonth, withinTolerance, type ComputedLine, type ShadowSubscription, type Tolerance } from "@/lib/migration/shadow-month";
import { LAGO_IMPORT_KIND, lagoWindowEnd, type LagoImportLogEntry } from "./importer";
import { readInvoices, type LagoConnection, type LagoFee, type LagoInvoice } from "./lago-api";

export interface LagoMonthFee {
  fee: LagoFee;
  invoice: LagoInvoice;
  customerExternalId: string;
  period: string;
}

const nextMonth = (period: string) => monthEnd(period).toISOString().slice(0, 7);
const lastDayOf = (period: string) => new Date(monthEnd(period).getTime() - 86_400_000).toISOString().slice(0, 10);

/** The timezone Lago billed a customer in (its own, else the organization's as Lago applied it, else UTC). */
function invoiceTimezone(invoice: LagoInvoice): string {
  const customer = invoice.customer as LagoInvoice["customer"] & { timezone?: string | null; applicable_timezone?: string | null };
  return customer.applicable_timezone || customer.timezone || "UTC";
}

/** Every fee of Lago's finalized subscription invoices with a service period, tagged with its month. */
export function feesByMonth(invoices: LagoInvoice[]): LagoMonthFee[] {
  const fees: LagoMonthFee[] = [];
  for (const invoice of invoices) {
    const tz = invoiceTimezone(invoice);
    for (const fee of invoice.fees) {
      if (!fee.from_datetime || (fee.item?.type !== "subscription" && fee.item?.type !== "charge")) continue;
      fees.push({ fee, invoice, customerExternalId: invoice.customer.external_id, period: localDate(new Date(fee.from_datetime), tz).slice(0, 7) });
    }
  }
  return fees;
}

/** Lago's invoices that can carry fees of the months given: issued from the first month to the end of the month after the last. */
export async function readFeesOfMonths(connection: LagoConnection, periods: string[]): Promise<LagoMonthFee[]> {
  if (periods.length === 0) return [];
  const sorted = [...periods].sort();
  const invoices = await readInvoices(connection, { from: `${sorted[0]}-01`, to: lastDayOf(nextMonth(sorted[sorted.length - 1])) });
  return feesByMonth(invoices).filter((f) => periods.includes(f.period));
}

/** A digest per month of what Lago billed: a changed digest means the month changed at the source. */
export function monthDigest(fees: LagoMonthFee[]): string {
  const parts = fees.map((f) => `${f.fee.lago_id}:${f.fee.amount_cents}:${f.fee.units}`).sort();
  const sum = fees.reduce((s, f) => s + BigInt(f.fee.amount_cents), BigInt(0));
  return `${fees.length}:${sum}:${createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 16)}`;
}

/** Per customer (Lago external id): where Lago's last invoiced subscription-fee period ended. */
export function lastInvoicedPeriodEnds(invoices: LagoInvoice[]): Map<string, Date> {
  const ends = new Map<string, Date>();
  for (const invoice of invoices) {
    for (const fee of invoice.fees) {
      if (fee.item?.type !== "subscription" || !fee.to_datetime) continue;
      const end = lagoWindowEnd(fee.to_datetime);
      const current = ends.get(invoice.customer.external_id);
      if (!current || end > current) ends.set(invoice.customer.external_id, end);
    }
  }
  return ends;
}

export interface LagoReconciliationSummary {
  period: string;
  rows: number;
  match: number;
  delta: number;
  error: number;
  unlinked: { accountId: string; externalCents: bigint }[];
}

export async function reconcileLagoMonth(client: Db, input: { connection: LagoConnection; serviceId: string; period: string; tolerance: Tolerance }): Promise<LagoReconciliationSummary> {
  const { period, serviceId, tolerance } = input;
  const fees = await readFeesOfMonths(input.connection, [period]);
  const feesByCustomer = new Map<string, LagoMonthFee[]>();
  for (const f of fees) feesByCustomer.set(f.customerExternalId, [...(feesByCustomer.get(f.customerExternalId) ?? []), f]);

  const [links, subscriptions, imported] = await Promise.all([
    client.accountLink.findMany({ where: { serviceId, deletedAt: null }, select: { externalId: true, customerId: true } }),
    shadowSubscriptionsNearMonth(client, serviceId, period),
    client.subscription.findMany({ where: { serviceId, sourceId: { in: [...new Set(fees.map((f) => f.fee.lago_subscription_id).filter((id): id is string => Boolean(id)))] } }, select: { sourceId: true } }),
  ]);
  const importedIds = new Set(imported.map((s) => s.sourceId));
  const reasons = await importFailureReasons(client, serviceId);
  const customerOfAccount = new Map(links.map((l) => [l.externalId, l.customerId]));
  const accountOfCustomer = new Map(links.map((l) => [l.customerId, l.externalId]));
  const subsByCustomer = new Map<string, ShadowSubscription[]>();
  for (const sub of subscriptions) subsByCustomer.set(sub.customerId, [...(subsByCustomer.get(sub.customerId) ?? []), sub]);

  const summary: LagoReconciliationSummary = { period, rows: 0, match: 0, delta: 0, error: 0, unlinked: [] };
  const customers = new Set<string>(subsByCustomer.keys());
  for (const [accountId, accountFees] of feesByCustomer) {
    const customerId = customerOfAccount.get(accountId);
    if (customerId) customers.add(customerId);
    else summary.unlinked.push({ accountId, externalCents: accountFees.reduce((s, f) => s + BigInt(f.fee.amount_cents), BigInt(0)) });
  }

  for (const customerId of customers) {
    const accountId = accountOfCustomer.get(customerId);
    const external = (accountId ? feesByCustomer.get(accountId) : undefined) ?? [];
    const externalCents = external.reduce((s, f) => s + BigInt(f.fee.amount_cents), BigInt(0));
    const details: { computed: ComputedLine[]; external: { id: string; invoiceId: string; description: string; subtotalCents: string }[]; tolerance: { cents: string; percent: string }; missingSubscriptions?: { externalId: string; reason: string | null; importRunId: string | null }[] } = {
      computed: [],
      external: external.map((f) => ({ id: f.fee.lago_id, invoiceId: f.invoice.number, description: f.fee.item.invoice_display_name || f.fee.item.name, subtotalCents: String(f.fee.amount_cents) })),
      tolerance: { cents: tolerance.cents.toString(), percent: tolerance.percent },
    };
    let row: { status: ReconciliationStatus; computedCents: bigint | null; deltaCents: bigint | null; note: string | null };
    try {
      details.computed = await computeMonth(client, subsByCustomer.get(customerId) ?? [], period);
      if (details.computed.length === 0 && external.length === 0) continue;
      const missingIds = [...new Set(external.map((f) => f.fee.lago_subscription_id).filter((id): id is string => Boolean(id) && !importedIds.has(id)))];
      const missing = missingIds.map((id) => {
        const fee = external.find((f) => f.fee.lago_subscription_id === id)!.fee;
        const reason = reasons.get(id);
        return { externalId: fee.external_subscription_id ?? id, lagoId: id, reason: reason?.message ?? null, importRunId: reason?.runId ?? null };
      });
      if (missing.length) details.missingSubscriptions = missing.map(({ externalId, reason, importRunId }) => ({ externalId, reason, importRunId }));
      const missingNote = missing.map((m) => `Lago subscription ${m.externalId} (${m.lagoId}) was invoiced for ${period} but ${m.reason ? `failed to import: ${m.reason}` : "is not imported (no reason in the last import's log)."}`).join(" ");
      const computedCents = details.computed.reduce((s, l) => s + BigInt(l.amountCents), BigInt(0));
      if (details.computed.length === 0) {
        row = { status: "error", computedCents: null, deltaCents: null, note: `No imported subscription covers ${period}, but Lago invoiced ${external.length} fee(s): ${missingNote || "see the import log."}` };
      } else if (missing.length) {
        row = { status: "error", computedCents, deltaCents: null, note: missingNote };
      } else {
        const deltaCents = computedCents - externalCents;
        const match = withinTolerance(deltaCents, externalCents, tolerance);
        row = { status: match ? "match" : "delta", computedCents, deltaCents, note: external.length === 0 ? `Lago invoiced no fee for ${period}.` : deltaCents !== BigInt(0) && match ? "Within tolerance." : null };
      }
    } catch (error) {
      row = { status: "error", computedCents: null, deltaCents: null, note: `Cannot compute: ${(error as Error).message}` };
    }
    const data = { ...row, externalCents, details: details as unknown as Prisma.InputJsonValue, computedAt: new Date() };
    await client.reconciliation.upsert({ where: { serviceId_customerId_period: { serviceId, customerId, period } }, create: { serviceId, customerId, period, ...data }, update: data });
    summary.rows += 1;
    summary[row.status] += 1;
  }
  return summary;
}

/** The reason the last real import gave for each Lago subscription it failed or skipped. */
async function importFailureReasons(client: Db, serviceId: string): Promise<Map<string, { message: string; runId: string }>> {
  const lastRun = await client.importRun.findFirst({ where: { kind: LAGO_IMPORT_KIND, serviceId, dryRun: false, status: "succeeded" }, orderBy: { startedAt: "desc" }, select: { id: true, log: true } });
  const reasons = new Map<string, { message: string; runId: string }>();
  for (const entry of (lastRun?.log ?? []) as unknown as LagoImportLogEntry[]) {
    if (entry.entity === "subscription" && entry.sourceId && (entry.outcome === "failed" || entry.outcome === "skipped")) reasons.set(entry.sourceId, { message: entry.message, runId: lastRun!.id });
  }
  return reasons;
}
