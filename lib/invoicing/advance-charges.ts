import type { Db } from "@/lib/db/prisma";
import { periodContaining } from "@/lib/billing/billing-periods";
import { localDate } from "@/lib/billing/calendar-date";
import { taxesForInvoice } from "@/lib/billing/tax/invoice-taxes";
import { DomainError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { filterLineName } from "@/lib/rating/charge-filters";
import { rateLoadedUsage, type ChargeWithMetric, type UsageEventRow } from "@/lib/rating/rate-subscription-usage";
import { scheduleOf, usageScheduleOf } from "@/lib/subscriptions/billing-schedule";
import { usageStartOf } from "./billing-step";
import { companyProfile } from "./company-profile";
import { composeInvoice } from "./compose-invoice";
import { writeDraftInvoice } from "./draft-invoices";
import { issueInvoices } from "./issue-invoice";
import type { InvoiceLineDraft } from "./invoice-lines";

/**
 * Pay-in-advance charges (Lago's `charge.pay_in_advance`): each event on such a charge is billed on its own instant
 * invoice, within seconds of its arrival, instead of at the period close.
 *
 * Fee of an event = price(the period's events already billed in advance + this one) − price(those without it), so
 * tiers, packages, free units and included quantities apply incrementally and the fees of a period add up to the
 * price of all its events. A difference below zero (a unique_count `remove`) bills nothing: in-advance fees are not
 * refunded. A zero fee is recorded without an invoice.
 *
 * Not in the ingest path: `POST /events` only nudges the `advance-charges` job (lib/jobs/billing-jobs.ts) after it
 * has answered, and the job also runs every minute, so an event whose nudge was lost is still billed. Exactly once:
 * one AdvanceChargeFee row per (subscription, charge, transaction_id), written in the transaction that issues the
 * invoice, under a per-subscription advisory lock; a retry or a second app instance finds the row and bills nothing.
 * The period close leaves these events out (rateLoadedUsage's `eventsBilledInAdvance`); usage records pushed with
 * `POST /usage` on such a charge are billed at the period close, in arrears, like any other charge.
 */
export const ADVANCE_CHARGES_QUEUE = "advance-charges";

export interface AdvanceChargeSummary {
  feesRecorded: number;
  invoicesIssued: number;
  failures: { subscriptionId: string; code: string; error: string }[];
}

interface PendingEvent {
  subscriptionId: string;
  chargeId: string;
  transactionId: string;
  timestamp: Date;
  properties: Prisma.JsonValue;
  code: string;
}

/**
 * How far back the every-minute sweep over all subscriptions looks (by event timestamp), so its cost does not grow with
 * history; a nudge for named subscriptions looks at all of their events.
 */
const SWEEP_DAYS = 62;

/**
 * Events of live subscriptions on pay-in-advance plan charges that have no fee yet, oldest first. A charge copied by a
 * plan override (`parentId`) is its root charge here: a fee recorded under the parent bills the event for the child, and
 * the child bills what arrived since the root charge was created. Events count from the subscription's usage start
 * (usageStartOf: the start of its first local day when it started on its subscription date), as the close counts them.
 */
async function pendingEvents(client: Db | Prisma.TransactionClient, subscriptionIds: string[] | null, limit: number, excluded: string[] = []): Promise<PendingEvent[]> {
  const sweepFrom = subscriptionIds ? new Date(0) : new Date(Date.now() - SWEEP_DAYS * 86_400_000);
  return client.$queryRaw<PendingEvent[]>`
    SELECT e."subscriptionId", c.id AS "chargeId", e."transactionId", e.timestamp, e.properties, e.code
      FROM "Charge" c
      LEFT JOIN "Charge" root ON root.id = c."parentId"
      JOIN "BillableMetric" m ON m.id = c."billableMetricId"
      JOIN "Subscription" s ON s."planId" = c."planId" AND NOT s.shadow AND s.status IN ('active', 'terminated') AND s."startedAt" IS NOT NULL
      JOIN "Customer" cu ON cu.id = s."customerId"
      JOIN "UsageEvent" e ON e."subscriptionId" = s.id AND e.code = m.code
           AND e.timestamp >= CASE WHEN s."subscriptionAt" = s."startedAt"
                                   THEN date_trunc('day', s."startedAt" AT TIME ZONE cu.timezone) AT TIME ZONE cu.timezone
                                   ELSE s."startedAt" END
           AND (s."terminatedAt" IS NULL OR e.timestamp < s."terminatedAt")
           -- events received before the (root) charge existed were never its to bill in advance
           AND e."createdAt" >= COALESCE(root."createdAt", c."createdAt")
           AND e.timestamp >= ${sweepFrom}
     WHERE c."payInAdvance" AND c."deletedAt" IS NULL AND c."planId" IS NOT NULL
       AND (${subscriptionIds}::uuid[] IS NULL OR s.id = ANY(${subscriptionIds}::uuid[]))
       AND NOT (s.id = ANY(${excluded}::uuid[]))
       AND NOT EXISTS (SELECT 1 FROM "AdvanceChargeFee" f JOIN "Charge" fc ON fc.id = f."chargeId"
                        WHERE f."subscriptionId" = s.id AND f."transactionId" = e."transactionId"
                          AND COALESCE(fc."parentId", fc.id) = COALESCE(c."parentId", c.id))
     ORDER BY s.id, e.timestamp, e."createdAt"
     LIMIT ${limit}`;
}

const ZERO = BigInt(0);

/** Bills the pending events of one subscription in one transaction (serialised per subscription). */
async function billSubscription(client: Db, subscriptionId: string, now: Date): Promise<{ fees: number; invoices: number }> {
  return client.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`advance-charges:${subscriptionId}`}, 0))`;
      const events = await pendingEvents(tx, [subscriptionId], 500);
      if (events.length === 0) return { fees: 0, invoices: 0 };
      const sub = await tx.subscription.findUniqueOrThrow({ where: { id: subscriptionId }, include: { plan: true, customer: true } });
      if (!sub.plan || !sub.startedAt) return { fees: 0, invoices: 0 };
      const charges: ChargeWithMetric[] = await tx.charge.findMany({ where: { id: { in: [...new Set(events.map((e) => e.chargeId))] } }, include: { billableMetric: true } });
      const schedule = usageScheduleOf(sub, sub.plan, sub.customer.timezone);
      const usageFrom = usageStartOf({ startedAt: sub.startedAt, subscriptionAt: sub.subscriptionAt, schedule: scheduleOf(sub, sub.plan, sub.customer.timezone) });
      const profile = await companyProfile(tx);
      // Events already billed in advance, per (charge, period start): loaded once, then grown as this batch bills.
      const billed = new Map<string, UsageEventRow[]>();
      // What those events rate to: an event's "with it" is the next event's "without it" under the same key.
      const ratedBilled = new Map<string, ReturnType<typeof rateLoadedUsage>>();
      let fees = 0;
      const invoiceIds: string[] = [];
      for (const event of events) {
        const charge = charges.find((c) => c.id === event.chargeId)!;
        const period = periodContaining(event.timestamp, schedule);
        const window = { start: usageFrom > period.start ? usageFrom : period.start, end: period.end };
        const key = `${charge.id}|${period.start.toISOString()}`;
        let before = billed.get(key);
        if (!before) {
          before = await tx.$queryRaw<UsageEventRow[]>`
            SELECT e."subscriptionId", e."transactionId", e.timestamp, e.properties, e.code
              FROM "AdvanceChargeFee" f
              JOIN "UsageEvent" e ON e."subscriptionId" = f."subscriptionId" AND e."transactionId" = f."transactionId" AND e.code = ${charge.billableMetric.code}
              JOIN "Charge" fc ON fc.id = f."chargeId"
             WHERE f."subscriptionId" = ${sub.id}::uuid AND f."periodStart" = ${period.start}
               AND COALESCE(fc."parentId", fc.id) = ${charge.parentId ?? charge.id}::uuid
             ORDER BY e.timestamp, e."createdAt"`;
          billed.set(key, before);
        }
        const row: UsageEventRow = { subscriptionId: sub.id, transactionId: event.transactionId, timestamp: event.timestamp, properties: event.properties, code: event.code };
        // A charge with filters rates one entry per bucket: the event changes only the bucket it falls in.
        const ratedWithout = ratedBilled.get(key) ?? rateLoadedUsage([charge], before, [], window);
        const ratedWith = rateLoadedUsage([charge], [...before, row], [], window);
        const bucket = Math.max(0, ratedWith.findIndex((rated, n) => rated.aggregate.eventsCount !== ratedWithout[n].aggregate.eventsCount));
        const without = ratedWithout[bucket];
        const withIt = ratedWith[bucket];
        const difference = withIt.price.amountCents - without.price.amountCents;
        const amountCents = difference > ZERO ? difference : ZERO;
        const units = withIt.aggregate.units.minus(without.aggregate.units);
        before.push(row);
        ratedBilled.set(key, ratedWith);

        const inserted = await tx.$queryRaw<{ id: string }[]>`
          INSERT INTO "AdvanceChargeFee" (id, "subscriptionId", "chargeId", "transactionId", timestamp, "periodStart", "periodEnd", units, "amountCents")
          VALUES (gen_random_uuid(), ${sub.id}::uuid, ${charge.id}::uuid, ${event.transactionId}, ${event.timestamp}, ${period.start}, ${period.end}, ${units.toString()}::numeric, ${amountCents})
          ON CONFLICT ("subscriptionId", "chargeId", "transactionId") DO NOTHING
          RETURNING id`;
        if (inserted.length === 0) continue;
        fees += 1;
        if (amountCents === ZERO) continue;

        const chargeName = charge.invoiceDisplayName ?? charge.billableMetric.name;
        const name = withIt.filter?.filter ? filterLineName(chargeName, withIt.filter.filter) : chargeName;
        const line: InvoiceLineDraft = {
          subscriptionId: sub.id,
          chargeId: charge.id,
          kind: "usage_charge",
          description: `${name} — paid in advance`,
          quantity: units.toString(),
          includedQuantity: "0",
          unitAmount: withIt.price.breakdown.model === "standard" ? withIt.price.breakdown.unitAmount.toString() : null,
          amountCents,
          details: { model: charge.chargeModel, payInAdvance: true, transactionId: event.transactionId, timestamp: event.timestamp.toISOString(), periodUnits: withIt.aggregate.units.toString(), periodAmount: withIt.price.amount.toString() },
          periodStart: window.start,
          periodEnd: window.end,
        };
        const issuingDate = localDate(now, sub.customer.timezone);
        const composition = composeInvoice({ lines: [line], taxes: (taxable) => taxesForInvoice({ shadow: false }, sub.customer, profile, taxable, issuingDate) });
        const invoice = await writeDraftInvoice(tx, {
          customerId: sub.customerId,
          serviceId: sub.serviceId,
          invoiceType: "subscription",
          billingKey: `advance:${sub.id}:${charge.id}:${event.transactionId}`,
          periodStart: window.start,
          periodEnd: window.end,
          issuingDate,
          currency: sub.plan.currency,
          sources: [{ subscriptionId: sub.id, reason: "in_advance_charge", chargeId: charge.id, transactionId: event.transactionId }],
        }, composition);
        await tx.$executeRaw`UPDATE "AdvanceChargeFee" SET "invoiceId" = ${invoice.id}::uuid WHERE id = ${inserted[0].id}::uuid`;
        invoiceIds.push(invoice.id);
      }
      // The one issue path: number, status, dates, billed-to, credit balance, audit, e-mail and webhooks (invoice.created).
      await issueInvoices(tx, invoiceIds, now);
      return { fees, invoices: invoiceIds.length };
    },
    { timeout: 60_000, maxWait: 20_000 },
  );
}

/**
 * Bills pending pay-in-advance events: of the given subscriptions (a nudge from `POST /events`), or of every
 * subscription (the job's schedule). A subscription that cannot be billed (a customer with no province to tax) is
 * reported and its events stay pending for the next run; the others are billed.
 */
export async function billAdvanceCharges(client: Db, subscriptionIds: string[] | null = null, now = new Date()): Promise<AdvanceChargeSummary> {
  const summary: AdvanceChargeSummary = { feesRecorded: 0, invoicesIssued: 0, failures: [] };
  const failed = new Set<string>();
  for (let round = 0; round < 100; round++) {
    // Failed subscriptions are left out by the query itself: their events must not fill every page and stall the rest.
    const pending = await pendingEvents(client, subscriptionIds, 5000, [...failed]);
    const subs = [...new Set(pending.map((e) => e.subscriptionId))].filter((id) => !failed.has(id));
    if (subs.length === 0) break;
    for (const id of subs) {
      try {
        const result = await billSubscription(client, id, now);
        summary.feesRecorded += result.fees;
        summary.invoicesIssued += result.invoices;
      } catch (error) {
        failed.add(id);
        summary.failures.push({ subscriptionId: id, code: error instanceof DomainError ? error.code : "internal_error", error: (error as Error).message });
      }
    }
  }
  return summary;
}

/** Whether any of these subscriptions bills one of these metric codes in advance (read-only; decides a nudge). */
export async function billsInAdvance(client: Db, subscriptionIds: string[], codes: string[]): Promise<boolean> {
  if (subscriptionIds.length === 0 || codes.length === 0) return false;
  const rows = await client.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one
      FROM "Subscription" s
      JOIN "Charge" c ON c."planId" = s."planId" AND c."payInAdvance" AND c."deletedAt" IS NULL
      JOIN "BillableMetric" m ON m.id = c."billableMetricId"
     WHERE s.id = ANY(${subscriptionIds}::uuid[]) AND NOT s.shadow AND m.code = ANY(${codes}::text[])
     LIMIT 1`;
  return rows.length > 0;
}
