import { loadSuspensions, suspensionCreditForStep, type SuspensionSpan } from "@/lib/subscriptions/suspension";
import { timeOrderedId } from "@/lib/db/time-ordered-id";
import type { Db } from "@/lib/db/prisma";
import { epochMsSql, flagArray, instantArray, instantFromEpochMs, uuidArray } from "@/lib/db/sql";
import { heldReferenceWritesAllowed, writeHeldReferences } from "@/lib/db/held-reference-writes";
import { pgQuery, RAW_TEXT, textRowsOn, withTransactionConnection, type TransactionConnection } from "@/lib/db/transaction-connection";
import { isoInstant, localDate } from "@/lib/billing/calendar-date";
import { DomainError, isRetryableConflict, isSchemaError, isUniqueViolation } from "@/lib/errors";
import { Prisma, type Customer, type Plan, type Subscription } from "@/lib/generated/prisma/client";
import { loadUsage, rateLoadedUsage, type ChargeWithMetric, type UsageEventRow, type UsageRollupRow } from "@/lib/rating/rate-subscription-usage";
import { chargeScheduleOf, scheduleOf, trialEndOf } from "@/lib/subscriptions/billing-schedule";
import { activateDueSubscriptions } from "@/lib/subscriptions/subscriptions";
import { recordEndedTrials } from "@/lib/subscriptions/trials";
import { invoiceIssueTypes, recordInvoiceEvents, recordSubscriptionEvents, servicesListeningToInvoices } from "@/lib/webhooks/lifecycle-events";
import { EARLIEST_BILLABLE_BOUNDARY, quarantineFailures } from "./billing-quarantine";
import { billingKey, type BillingGroup } from "./billing-group";
import { InvoiceDetailRows, InvoiceRows, writeInvoiceDetails, type ChunkInvoice } from "./close-rows";
import { billingStep, type BillingStep } from "./billing-step";
import { companyProfile, type CompanyProfileValues } from "./company-profile";
import { billedToOf, type BilledTo } from "./billed-to";
import { composeInvoice, type Credit, type InvoiceComposition } from "./compose-invoice";
import { consumeCoupons, couponDiscounts, type CouponConsumption, type CouponState } from "@/lib/coupons/coupon-discounts";
import { couponBookKey, loadCouponBook, recordCouponConsumption } from "@/lib/coupons/coupon-ledger";
import { progressiveBillingCredits, progressiveCreditKey } from "./progressive-billing";
import { creditableCents, issueCreditNote, loadCreditableInvoice, netShareCents } from "./credit-notes";
import { mulDivHalfUp } from "@/lib/billing/money";
import { issueFields, issueInvoices, takeInvoiceNumbers } from "./issue-invoice";
import { encodeInvoiceIssuedNotices } from "@/lib/collections/invoice-notices";
import { taxesForInvoice } from "@/lib/billing/tax/invoice-taxes";
import { feeLine, usageLines, type InvoiceLineDraft } from "./invoice-lines";
import { minimumProrationOf } from "./usage-window";
import { holdersOfPrepaidCredit } from "@/lib/wallets/consumption";

/**
 * The period close. Every subscription whose `nextBillingAt` has come is billed for that boundary; subscriptions of
 * one customer and one service that share a boundary go on one invoice.
 *
 * Groups are billed in chunks: one transaction reads the chunk's subscriptions, charges and usage in a few queries,
 * writes its invoices, lines and taxes with one COPY per table, and moves each subscription's `nextBillingAt` on. The
 * transaction is all-or-nothing, so a crash never leaves half an invoice and a re-run bills nothing twice; rows are
 * taken with FOR UPDATE SKIP LOCKED and each invoice has a unique billing key, so two runners in parallel never bill
 * the same boundary. A group that cannot be billed (e.g. a customer with no province) is reported and quarantined
 * (lib/invoicing/billing-quarantine.ts), without holding back the rest; if a chunk fails as a whole, its groups are
 * retried one by one. A group and its billing key: billing-group.ts; the chunk's rows for COPY: close-rows.ts.
 */

export interface BillingFailure {
  customerId: string;
  serviceId: string;
  boundary: string;
  shadow?: boolean;
  code: string;
  error: string;
}

export interface BillingRunSummary {
  subscriptionsBilled: number;
  invoicesCreated: number;
  creditNotesIssued: number;
  /** Refund credit notes the run issued: paid back to the card by the refund job, after the run's transactions. */
  refundCreditNoteIds: string[];
  failures: BillingFailure[];
}

export interface BillingRunOptions {
  /** Bill only this service's subscriptions (the scheduled run bills every service). */
  serviceId?: string;
  /** Chunks billed at once, each in its own transaction. */
  concurrency?: number;
  /** Groups per chunk. */
  chunkSize?: number;
  onProgress?: (summary: BillingRunSummary, due: number) => void | Promise<void>;
  /** The BillingRun row this run reports on (recorded on the groups it quarantines). */
  billingRunId?: string;
}

/** What the period close needs of a subscription, its plan and its customer. */
export type SubscriptionToBill = Pick<
  Subscription,
  | "id" | "customerId" | "serviceId" | "planId" | "status" | "billingTime" | "billingAnchorDate" | "subscriptionAt" | "startedAt"
  | "terminatedAt" | "endingAt" | "nextPlanId" | "nextBillingAt" | "shadow" | "onTerminationCreditNote" | "onTerminationInvoice"
> & {
  plan: (Pick<Plan, "id" | "name" | "invoiceDisplayName" | "amountCents" | "payInAdvance" | "interval" | "currency" | "billChargesMonthly"> & Partial<Pick<Plan, "parentId">> & { trialPeriodDays: string | null }) | null;
  customer: BillableCustomer;
};
export type BillableCustomer = Pick<
  Customer,
  "id" | "legalName" | "country" | "province" | "taxExempt" | "taxExemptionNumber" | "timezone" | "netPaymentTermDays" | "creditBalanceCents" | "currency"
>;
export type PlannedSubscription = SubscriptionToBill & { plan: NonNullable<SubscriptionToBill["plan"]> };
/** As the close loads it: with the customer's billed-to snapshot, which its issued invoices keep. */
type LoadedSubscription = SubscriptionToBill & { customer: BillableCustomer & { billedTo: BilledTo } };

/** How many columns lockSubscriptions selects and destructures by position. */
const SUBSCRIPTION_COLUMNS = 32;

type PlanToBill = NonNullable<SubscriptionToBill["plan"]>;

/**
 * Locks the subscriptions of the chunk's groups that are still due at the group's boundary and loads them with their
 * customer, in one statement; their plans come from `plans`, the run's (loadPlans). It skips those another run holds,
 * and those a usage insert in flight holds through its foreign key (FOR UPDATE, not FOR NO KEY UPDATE: that usage is
 * billed with its period next time rather than left out). Rows arrive as arrays of text, timestamps as milliseconds
 * since the epoch: on large runs, building JSON in PostgreSQL (or decoding rows through type parsers) costs more than
 * the billing itself.
 */
async function lockSubscriptions(connection: TransactionConnection, groups: BillingGroup[], plans: Map<string, PlanToBill>): Promise<LoadedSubscription[]> {
  const result = await connection.query<(string | null)[]>({
    rowMode: "array",
    types: RAW_TEXT,
    ...pgQuery(Prisma.sql`
    WITH locked AS (
      SELECT s.*
        FROM "Subscription" s
        JOIN unnest(${uuidArray(groups.map((g) => g.customerId))}, ${uuidArray(groups.map((g) => g.serviceId))},
                    ${instantArray(groups.map((g) => g.boundary))}, ${flagArray(groups.map((g) => g.shadow))}) AS g(customer, service, boundary, shadow)
          ON s."customerId" = g.customer AND s."serviceId" = g.service AND s."nextBillingAt" = g.boundary AND s.shadow = g.shadow
       WHERE s.status IN ('active', 'terminated')
       ORDER BY s.id
         FOR UPDATE OF s SKIP LOCKED
    )
    SELECT s.id, s."customerId", s."serviceId", s."planId", s.status, s."billingTime", ${epochMsSql('s."billingAnchorDate"')}, ${epochMsSql('s."subscriptionAt"')},
           ${epochMsSql('s."startedAt"')}, ${epochMsSql('s."terminatedAt"')}, ${epochMsSql('s."endingAt"')},
           s."nextPlanId", ${epochMsSql('s."nextBillingAt"')}, s.shadow, s."onTerminationCreditNote", s."onTerminationInvoice",
           c.id, c."legalName", c.country, c.province, c."taxExempt", c."taxExemptionNumber", c.timezone, c."netPaymentTermDays", c."creditBalanceCents", c.currency,
           c."addressLine1", c."addressLine2", c.city, c."postalCode", c.email, c."taxIdentificationNumber"
      FROM locked s
      JOIN "Customer" c ON c.id = s."customerId"
     ORDER BY s."createdAt"`),
  });
  if (result.fields.length !== SUBSCRIPTION_COLUMNS) throw new Error(`lockSubscriptions reads ${SUBSCRIPTION_COLUMNS} columns by position; the statement returns ${result.fields.length}`);
  await loadPlans(connection, plans, result.rows.map((row) => row[3]));
  const date = (ms: string | null) => (ms === null ? null : instantFromEpochMs(ms));
  const subs: LoadedSubscription[] = [];
  for (const row of result.rows) {
    const [id, customerId, serviceId, planId, status, billingTime, anchor, subscriptionAt, startedAt, terminatedAt, endingAt, nextPlanId, nextBillingAt,
      shadow, onTerminationCreditNote, onTerminationInvoice, customer, legalName, country, province, taxExempt, taxExemptionNumber, timezone, netPaymentTermDays,
      creditBalance, currency, addressLine1, addressLine2, city, postalCode, email, taxIdentificationNumber] = row;
    subs.push({
      id: id!, customerId: customerId!, serviceId: serviceId!, planId, status: status as Subscription["status"], billingTime: billingTime as Subscription["billingTime"],
      billingAnchorDate: date(anchor)!, subscriptionAt: date(subscriptionAt)!, startedAt: date(startedAt), terminatedAt: date(terminatedAt), endingAt: date(endingAt),
      nextPlanId, nextBillingAt: date(nextBillingAt), shadow: shadow === "t", onTerminationCreditNote: onTerminationCreditNote!, onTerminationInvoice: onTerminationInvoice!,
      plan: planId === null ? null : plans.get(planId)!,
      customer: {
        id: customer!, legalName: legalName!, country: country!, province, taxExempt: taxExempt === "t", taxExemptionNumber, timezone: timezone!,
        netPaymentTermDays: netPaymentTermDays === null ? null : Number(netPaymentTermDays), creditBalanceCents: BigInt(creditBalance!), currency: currency!,
        billedTo: billedToOf({ legalName: legalName!, addressLine1, addressLine2, city, province, postalCode, country: country!, email, taxIdentificationNumber, taxExemptionNumber }),
      },
    });
  }
  return subs;
}

/**
 * Reads the plans among `planIds` that `plans` does not hold yet into it. A run reads each plan once, when it first
 * meets it, and bills every subscription of it as the plan was then (as it does the plan's charges).
 */
async function loadPlans(connection: TransactionConnection, plans: Map<string, PlanToBill>, planIds: (string | null)[]) {
  const missing = [...new Set(planIds.filter((id): id is string => id !== null && !plans.has(id)))];
  if (missing.length === 0) return;
  const { rows } = await connection.query<(string | null)[]>({
    rowMode: "array",
    types: RAW_TEXT,
    ...pgQuery(Prisma.sql`
    SELECT id, name, "invoiceDisplayName", "amountCents", "payInAdvance", interval, currency, "billChargesMonthly", "trialPeriodDays", "parentId"
      FROM "Plan" WHERE id = ANY(${uuidArray(missing)})`),
  });
  for (const [id, name, invoiceDisplayName, amountCents, payInAdvance, interval, currency, billChargesMonthly, trialPeriodDays, parentId] of rows) {
    plans.set(id!, {
      id: id!, name: name!, invoiceDisplayName, amountCents: BigInt(amountCents!), payInAdvance: payInAdvance === "t", interval: interval as Plan["interval"],
      currency: currency!, billChargesMonthly: billChargesMonthly === null ? null : billChargesMonthly === "t", trialPeriodDays, parentId,
    });
  }
}

export interface ComposedInvoice {
  id: string;
  group: BillingGroup;
  customer: BillableCustomer;
  composition: InvoiceComposition<InvoiceLineDraft>;
  usageWindows: { subscriptionId: string; start: Date; end: Date; periodStart: Date; periodEnd: Date }[];
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  issuingDate: string;
  sources: Prisma.InputJsonValue[];
  /** What it took from the customer's applied coupons. */
  couponsUsed: CouponConsumption[];
}

export interface ComposedGroup {
  group: BillingGroup;
  invoice: ComposedInvoice | null;
  updates: { id: string; nextBillingAt: Date | null; terminatedAt: Date | null }[];
  credits: { sub: SubscriptionToBill; step: BillingStep }[];
}

/** The subscription's group is set aside in BillingQuarantine (not yet released): runs skip it. */
const QUARANTINED = Prisma.sql`EXISTS (SELECT 1 FROM "BillingQuarantine" q
   WHERE q."customerId" = "Subscription"."customerId" AND q."serviceId" = "Subscription"."serviceId"
     AND q.shadow = "Subscription".shadow AND q.boundary = "Subscription"."nextBillingAt" AND q."releasedAt" IS NULL)`;

/**
 * The next due groups after `cursor`, in (boundary, customer, service) order, read through the matching index so each
 * call costs the rows it returns. A group cut by the row limit is left for the next call.
 */
async function dueGroups(client: Db, upTo: Date, cursor: BillingGroup | null, rowLimit: number, serviceId?: string): Promise<BillingGroup[]> {
  const after = cursor ?? { boundary: new Date(0), customerId: "00000000-0000-0000-0000-000000000000", serviceId: "00000000-0000-0000-0000-000000000000" };
  const rows = await client.$queryRaw<{ customerId: string; serviceId: string; boundary: Date; shadow: boolean }[]>`
    SELECT "customerId", "serviceId", "nextBillingAt" AS boundary, shadow
      FROM "Subscription"
     WHERE "nextBillingAt" <= ${upTo} AND status IN ('active', 'terminated')
       AND (${serviceId ?? null}::uuid IS NULL OR "serviceId" = ${serviceId ?? null}::uuid)
       AND ("nextBillingAt", "customerId", "serviceId") > (${after.boundary}::timestamptz, ${after.customerId}::uuid, ${after.serviceId}::uuid)
       AND NOT ${QUARANTINED}
     ORDER BY "nextBillingAt", "customerId", "serviceId"
     LIMIT ${rowLimit}`;
  const groups = new Map<string, BillingGroup>();
  for (const r of rows) {
    const group = { customerId: r.customerId, serviceId: r.serviceId, boundary: r.boundary, shadow: r.shadow };
    groups.set(billingKey(group), group);
  }
  const list = [...groups.values()];
  if (rows.length < rowLimit) return list;
  // The last (boundary, customer, service) may continue past the limit: leave all of it for the next call.
  const last = rows[rows.length - 1];
  const complete = list.filter((g) => !(g.boundary.getTime() === last.boundary.getTime() && g.customerId === last.customerId && g.serviceId === last.serviceId));
  return complete.length ? complete : list;
}

/**
 * One pass's chunks, taken in turn by the run's workers: pages of due groups are read through `page` (one read at a
 * time, when the chunks read so far are all taken), filtered by `keep` and cut into chunks of `chunkSize`. Null once
 * the pass has no more due groups. `onPage` reports progress as each new page is read.
 */
function dueChunks(
  page: (cursor: BillingGroup | null) => Promise<BillingGroup[]>,
  keep: (group: BillingGroup) => boolean,
  chunkSize: number,
  onPage: () => void | Promise<void>,
): () => Promise<BillingGroup[] | null> {
  let cursor: BillingGroup | null = null;
  let exhausted = false;
  let reading: Promise<void> | null = null;
  const chunks: BillingGroup[][] = [];
  const read = async () => {
    if (cursor) await onPage();
    const found = await page(cursor);
    if (found.length === 0) {
      exhausted = true;
      return;
    }
    cursor = found[found.length - 1];
    const groups = found.filter(keep);
    for (let i = 0; i < groups.length; i += chunkSize) chunks.push(groups.slice(i, i + chunkSize));
  };
  return async () => {
    while (chunks.length === 0 && !exhausted) {
      reading ??= read().finally(() => (reading = null));
      await reading;
    }
    return chunks.shift() ?? null;
  };
}

export function stepOf(sub: PlannedSubscription, boundary: Date): BillingStep {
  return billingStep(
    {
      payInAdvance: sub.plan.payInAdvance,
      amountCents: sub.plan.amountCents,
      schedule: scheduleOf(sub, sub.plan, sub.customer.timezone),
      chargeSchedule: sub.shadow ? undefined : chargeScheduleOf(sub, sub.plan, sub.customer.timezone),
      trialEndsAt: sub.shadow ? null : trialEndOf(sub.startedAt ?? sub.subscriptionAt, sub.plan),
      startedAt: sub.startedAt ?? sub.subscriptionAt,
      subscriptionAt: sub.subscriptionAt,
      terminatedAt: sub.status === "terminated" ? sub.terminatedAt : null,
      upgraded: sub.status === "terminated" && sub.nextPlanId !== null,
      endingAt: sub.endingAt,
    },
    boundary,
  );
}

/**
 * What one group owes (pure over loaded data): the invoice, the subscriptions' next boundaries, credits to issue. The
 * invoice preview (lib/invoicing/invoice-preview.ts) composes through it too, so a preview prices as the close will.
 */
export function composeGroup(
  group: BillingGroup,
  subs: SubscriptionToBill[],
  stepFor: (sub: PlannedSubscription) => BillingStep,
  chargesOf: (sub: SubscriptionToBill) => ChargeWithMetric[],
  usageOf: (subId: string) => { events: UsageEventRow[]; rollups: UsageRollupRow[] },
  profile: Awaited<ReturnType<typeof companyProfile>>,
  suspensionsOf: (subId: string) => SuspensionSpan[] = () => [],
  /** The customer's applied coupons with this service (their state is updated in place as the invoice uses them). */
  coupons: CouponState[] = [],
  progressiveBilledOf: (subId: string, periodStart: Date) => bigint = () => BigInt(0),
): ComposedGroup {
  const lines: InvoiceLineDraft[] = [];
  const updates: ComposedGroup["updates"] = [];
  const unusedCredits: ComposedGroup["credits"] = [];
  const sources: Prisma.InputJsonValue[] = [];
  const usageWindows: ComposedInvoice["usageWindows"] = [];
  const credits: Credit[] = [];
  let periodStart = group.boundary;
  let periodEnd = group.boundary;
  const widen = (p: { start: Date; end: Date }) => {
    if (p.start < periodStart) periodStart = p.start;
    if (p.end > periodEnd) periodEnd = p.end;
  };
  for (const sub of subs) {
    if (!sub.plan) {
      updates.push({ id: sub.id, nextBillingAt: null, terminatedAt: null });
      continue;
    }
    const plan = sub.plan;
    const step = stepFor(sub as PlannedSubscription);
    const name = plan.invoiceDisplayName ?? plan.name;
    // Lago's on_termination_invoice: skip — a termination (not an upgrade) bills neither the used days nor the usage.
    if (sub.status === "terminated" && sub.onTerminationInvoice === "skip" && sub.nextPlanId === null && step.next === null) {
      if (step.unusedAdvanceCredit) unusedCredits.push({ sub, step });
      updates.push({ id: sub.id, nextBillingAt: null, terminatedAt: null });
      continue;
    }
    if (step.arrearsFee) lines.push(feeLine(sub.id, name, step.arrearsFee, "in_arrears"));
    const suspensionCredit = suspensionCreditForStep(sub as PlannedSubscription, step, suspensionsOf(sub.id));
    if (suspensionCredit) lines.push(suspensionCredit);
    if (step.usageWindow) {
      const { events, rollups } = usageOf(sub.id);
      const rated = rateLoadedUsage(chargesOf(sub), events, rollups, step.usageWindow, { minimumProration: minimumProrationOf(step.usageWindow), eventsBilledInAdvance: !sub.shadow });
      lines.push(...usageLines(sub.id, rated, step.usageWindow));
      const progressive = progressiveBilledOf(sub.id, step.usageWindow.period.start);
      if (progressive > BigInt(0)) credits.push({ code: "progressive_billing", description: `Usage already billed during the period (progressive billing) — ${name}`, amountCents: progressive });
      usageWindows.push({ subscriptionId: sub.id, start: step.usageWindow.start, end: step.usageWindow.end, periodStart: step.usageWindow.period.start, periodEnd: step.usageWindow.period.end });
      widen(step.usageWindow.period);
    } else if (step.advanceFee) {
      widen(step.advanceFee.period);
    }
    if (step.advanceFee) lines.push(feeLine(sub.id, name, step.advanceFee, "in_advance"));
    if (step.unusedAdvanceCredit) unusedCredits.push({ sub, step });
    sources.push({ subscriptionId: sub.id, boundary: isoInstant(group.boundary), usageWindow: step.usageWindow ? { start: isoInstant(step.usageWindow.start), end: isoInstant(step.usageWindow.end) } : null });
    const reachedEnd = step.next === null && sub.status === "active";
    updates.push({ id: sub.id, nextBillingAt: step.next, terminatedAt: reachedEnd ? (sub.endingAt ?? group.boundary) : null });
  }
  if (lines.length === 0) return { group, invoice: null, updates, credits: unusedCredits };
  const customer = subs[0].customer;
  const issuingDate = localDate(group.boundary, customer.timezone);
  // A coupon limited to a plan covers its subscriptions' negotiated copies (plan overrides) too.
  const planOf = new Map(subs.map((s) => [s.id, s.plan?.parentId ?? s.planId]));
  const discounts = couponDiscounts(lines.map((l) => ({ amountCents: l.amountCents, planId: planOf.get(l.subscriptionId) ?? null })), coupons);
  const composition = composeInvoice({ lines, discounts, credits, taxes: (taxableCents) => taxesForInvoice(group, customer, profile, taxableCents, issuingDate) });
  const couponsUsed = consumeCoupons(coupons, composition.discounts);
  return {
    group,
    updates,
    credits: unusedCredits,
    invoice: {
      id: timeOrderedId(),
      group,
      customer,
      composition,
      usageWindows,
      currency: subs.find((s) => s.plan)?.plan?.currency ?? customer.currency,
      periodStart,
      periodEnd,
      issuingDate,
      sources,
      couponsUsed,
    },
  };
}

/**
 * Moves the chunk's subscriptions on to their next boundary (and ends those that reached their end), in one statement.
 * Their rows are locked by the chunk since it read them, and nothing here depends on invoice numbers: it runs before the
 * chunk queues for the number series.
 */
async function moveSubscriptions(connection: TransactionConnection, updates: ComposedGroup["updates"]) {
  if (updates.length === 0) return;
  await connection.query(pgQuery(Prisma.sql`
    UPDATE "Subscription" s
       SET "nextBillingAt" = u.next,
           status = CASE WHEN u.ended IS NOT NULL THEN 'terminated'::"SubscriptionStatus" ELSE s.status END,
           "terminatedAt" = COALESCE(u.ended, s."terminatedAt"),
           "updatedAt" = now()
      FROM unnest(${uuidArray(updates.map((u) => u.id))}, ${instantArray(updates.map((u) => u.nextBillingAt))},
                  ${instantArray(updates.map((u) => u.terminatedAt))}) AS u(id, next, ended)
     WHERE s.id = u.id`));
}

/**
 * The transaction's own now(), the instant createdAt's default takes, for the invoices' updatedAt (Prisma's @updatedAt
 * has no database default): in microseconds since 1970-01-01 (a Date would cut it to milliseconds). Fixed for the
 * whole transaction, so it is read before the number series.
 */
async function transactionNow(connection: TransactionConnection): Promise<number> {
  const { rows: [{ now }] } = await connection.query<{ now: string }>(
    "SELECT (extract(epoch FROM now()) * 1000000)::int8::text AS now",
  );
  return Number(now);
}

/**
 * What one run reads once and carries from chunk to chunk: the plans and their charges (a run prices each plan as it
 * was when the run first met it) and the company profile (seller, grace period, payment terms: as they were when it started).
 */
export interface RunConstants {
  planCharges: Map<string, ChargeWithMetric[]>;
  /** The subscriptions' plans, each as the run first read it (lockSubscriptions). */
  plans: Map<string, PlanToBill>;
  profile?: CompanyProfileValues;
  /** The database role may write the chunk's rows without per-row key checks (lib/db/held-reference-writes.ts). */
  heldReferenceWrites?: boolean;
}

/**
 * Groups composed between two yields to the event loop. The chunks of a run share this process's one thread, and a
 * chunk holding the invoice number series (which the others queue for) must not wait for another's whole composition
 * before its next statement is sent: with slices of this size it waits a few milliseconds.
 */
const COMPOSE_SLICE = 50;
const yieldToOtherChunks = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What a chunk's first phase (composeChunk) hands to its writes. */
interface ComposedChunk {
  composed: Omit<ComposedGroup, "invoice">[];
  invoices: ChunkInvoice[];
  details: InvoiceDetailRows;
  failures: BillingFailure[];
  couponBook: Awaited<ReturnType<typeof loadCouponBook>>;
  profile: CompanyProfileValues;
  /** Each customer's billed-to snapshot, as locked. */
  billedTo: Map<string, BilledTo>;
  referencesHeld: boolean;
}

/**
 * A chunk's first phase: locks its subscriptions, reads their charges, usage, suspensions, progressive-billing credits
 * and coupons, and composes its invoices (their lines and taxes encoded for COPY as they are composed). Null when none
 * of its subscriptions is still due. What it read is garbage once it returns: a chunk's later statements (and its wait
 * for the number series) keep only what the writes need, so the rest dies young instead of being copied by the
 * collector into the old generation.
 */
async function composeChunk(
  tx: Prisma.TransactionClient,
  connection: TransactionConnection,
  groups: BillingGroup[],
  run: RunConstants,
  attachedCharges: ChargeWithMetric[],
): Promise<ComposedChunk | null> {
  const { planCharges } = run;
  const rows = textRowsOn(connection);
  const subs = await lockSubscriptions(connection, groups, run.plans);
  if (subs.length === 0) return null;
  const ids = subs.map((s) => s.id);
  const planIds = [...new Set(subs.map((s) => s.planId).filter((p): p is string => p !== null))];
  // Charges attached to subscriptions are rare (shadow imports): find their ids with one indexed query first, so the
  // model query never carries a thousand-id filter.
  const attached = (await rows(Prisma.sql`SELECT id::text FROM "Charge" WHERE "subscriptionId" = ANY(${uuidArray(ids)}) AND "deletedAt" IS NULL`)).map(([id]) => ({ id: id! }));
  const idSet = new Set(ids);
  const uncachedPlans = planIds.filter((id) => !planCharges.has(id));
  if (uncachedPlans.length || attached.length) {
    const loaded = await tx.charge.findMany({
      where: { deletedAt: null, OR: [{ planId: { in: uncachedPlans } }, ...(attached.length ? [{ id: { in: attached.map((c) => c.id) } }] : [])] },
      include: { billableMetric: true },
      orderBy: [{ position: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    });
    for (const id of uncachedPlans) planCharges.set(id, loaded.filter((c) => c.planId === id));
    attachedCharges.push(...loaded.filter((c) => c.subscriptionId !== null));
  }
  const charges = [...planIds.flatMap((id) => planCharges.get(id) ?? []), ...attachedCharges.filter((c) => idSet.has(c.subscriptionId!))];
  // The charges the lines will name, share-locked as the lines' key checks would lock them: with every one held, the
  // chunk writes without those checks (lib/db/held-reference-writes.ts); when one is gone, with them, which refuse it.
  const chargeIds = [...new Set(charges.map((c) => c.id))];
  const referencesHeld = run.heldReferenceWrites === true &&
    (chargeIds.length === 0 || (await rows(Prisma.sql`SELECT id::text FROM "Charge" WHERE id = ANY(${uuidArray(chargeIds)}) FOR KEY SHARE`)).length === chargeIds.length);
  const steps = new Map<string, BillingStep>();
  const stepFor = (sub: PlannedSubscription) => {
    let step = steps.get(sub.id);
    if (!step) steps.set(sub.id, (step = stepOf(sub, sub.nextBillingAt!)));
    return step;
  };
  const windows = subs.filter((s) => s.plan).map((s) => stepFor(s as PlannedSubscription).usageWindow).filter((w) => w !== null);
  const minStart = new Date(Math.min(...windows.map((w) => w.start.getTime()), Date.now()));
  const maxBoundary = new Date(Math.max(...subs.map((s) => s.nextBillingAt!.getTime())));
  const usage = await loadUsage(
    rows,
    ids,
    [...new Set(charges.map((c) => c.billableMetric.code))],
    [...new Set(charges.map((c) => c.billableMetricId))],
    minStart,
    maxBoundary,
    charges.some((c) => c.billableMetric.recurring),
  );
  const eventsBySub = new Map<string, UsageEventRow[]>();
  for (const e of usage.events) if (e.subscriptionId) (eventsBySub.get(e.subscriptionId) ?? eventsBySub.set(e.subscriptionId, []).get(e.subscriptionId)!).push(e);
  const rollupsBySub = new Map<string, UsageRollupRow[]>();
  for (const r of usage.rollups) (rollupsBySub.get(r.subscriptionId) ?? rollupsBySub.set(r.subscriptionId, []).get(r.subscriptionId)!).push(r);
  const chargesOf = (sub: SubscriptionToBill) => charges.filter((c) => c.subscriptionId === sub.id || (sub.planId !== null && c.planId === sub.planId));
  const usageOf = (id: string) => ({ events: eventsBySub.get(id) ?? [], rollups: rollupsBySub.get(id) ?? [] });
  const profile = run.profile ?? (run.profile = await companyProfile(tx));
  const suspensions = await loadSuspensions(rows, ids, minStart, maxBoundary);
  // Usage of these periods already billed by progressive-billing invoices: deducted before tax.
  const progressive = await progressiveBillingCredits(tx, subs.filter((s) => s.plan && !s.shadow).flatMap((s) => {
    const w = stepFor(s as PlannedSubscription).usageWindow;
    return w ? [{ subscriptionId: s.id, periodStart: w.period.start }] : [];
  }));
  // Shadow invoices take no coupons: coupons are the live service's, and a shadow run must not use them up.
  const couponBook = await loadCouponBook(tx, subs.filter((s) => !s.shadow).map((s) => ({ customerId: s.customerId, serviceId: s.serviceId })));
  const failures: BillingFailure[] = [];
  const composed: Omit<ComposedGroup, "invoice">[] = [];
  const invoices: ChunkInvoice[] = [];
  const details = new InvoiceDetailRows();
  // A group's members among its customer's locked subscriptions due at its boundary: no key text built per subscription.
  const subsByCustomerAndBoundary = new Map<string, Map<number, SubscriptionToBill[]>>();
  for (const sub of subs) {
    let ofCustomer = subsByCustomerAndBoundary.get(sub.customerId);
    if (!ofCustomer) subsByCustomerAndBoundary.set(sub.customerId, (ofCustomer = new Map()));
    const due = ofCustomer.get(sub.nextBillingAt!.getTime());
    if (due) due.push(sub);
    else ofCustomer.set(sub.nextBillingAt!.getTime(), [sub]);
  }
  const membersOf = (group: BillingGroup) =>
    (subsByCustomerAndBoundary.get(group.customerId)?.get(group.boundary.getTime()) ?? []).filter((s) => s.serviceId === group.serviceId && s.shadow === group.shadow);
  let composedSinceYield = 0;
  for (const group of groups) {
    const members = membersOf(group);
    if (members.length === 0) continue;
    if (++composedSinceYield === COMPOSE_SLICE) {
      composedSinceYield = 0;
      await yieldToOtherChunks();
    }
    try {
      const coupons = group.shadow ? [] : (couponBook.get(couponBookKey(group.customerId, group.serviceId)) ?? []);
      const { invoice, ...rest } = composeGroup(group, members, stepFor, chargesOf, usageOf, profile, (id) => suspensions.get(id) ?? [], coupons, (id, ps) => progressive.get(progressiveCreditKey(id, ps)) ?? BigInt(0));
      composed.push(rest);
      if (invoice) invoices.push(details.encodeDetails(invoice));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      failures.push({ customerId: group.customerId, serviceId: group.serviceId, boundary: group.boundary.toISOString(), shadow: group.shadow, code: error.code, error: error.message });
    }
  }
  const billedTo = new Map(subs.map((s) => [s.customerId, s.customer.billedTo]));
  return { composed, invoices, details, failures, couponBook, profile, billedTo, referencesHeld };
}

/** Bills a chunk of groups in one transaction. */
export async function billChunk(client: Db, groups: BillingGroup[], now = new Date(), run: RunConstants = { planCharges: new Map(), plans: new Map() }) {
  const attachedCharges: ChargeWithMetric[] = [];
  return withTransactionConnection(
    client,
    async (tx, connection) => {
      const rows = textRowsOn(connection);
      const chunk = await composeChunk(tx, connection, groups, run, attachedCharges);
      if (!chunk) return { invoices: 0, billed: 0, creditNotes: 0, refundCreditNoteIds: [] as string[], failures: [] as BillingFailure[] };
      const { composed, invoices, details, failures, couponBook, profile, billedTo, referencesHeld } = chunk;
      // Invoices are issued as they are written (status and dates decided by issueFields, numbers taken by
      // takeInvoiceNumbers, billed-to as locked), except shadow ones and drafts during a grace period; those of customers
      // holding or gaining a credit balance, or holding prepaid credit (wallets), are written as drafts and issued after
      // this chunk's credit notes by issueInvoices, which consumes the credit.
      const issueNow = (i: ChunkInvoice) => !i.group.shadow && profile.invoiceGracePeriodDays === 0;
      const gainingCredit = new Set(composed.filter((c) => c.credits.length).map((c) => c.group.customerId));
      const prepaid = await holdersOfPrepaidCredit(rows, [...new Set(invoices.filter((i) => !i.group.shadow).map((i) => i.customer.id))]);
      const consumesCredit = (i: ChunkInvoice) =>
        i.customer.creditBalanceCents !== BigInt(0) || gainingCredit.has(i.customer.id) || prepaid.has(`${i.customer.id}:${i.group.serviceId}`);
      const direct = invoices.filter((i) => issueNow(i) && !consumesCredit(i));
      const afterCredits = invoices.filter((i) => issueNow(i) && consumesCredit(i));
      // Gap-free numbers are taken under the series row's lock, held until commit: as late as the chunk allows, right
      // before its invoices are written with them (written once, never updated to add the number afterwards). So
      // everything that needs no number comes first (subscriptions moved on, the invoices' lines, taxes and usage
      // windows, their invoice-issued e-mails, the invoices' own rows but for the number, which services listen to their
      // webhook events), and parallel chunks queue only for writing the invoices themselves (with their audit entries,
      // which name the numbers), for what needs them in place (coupon use, credit notes, issuing those that consume
      // credit, webhook events) and for their commit. Before the credit notes and before issueInvoices' own numbers:
      // numbers (and locks) in the same order as issuing one by one would take them.
      const updates = composed.flatMap((c) => c.updates);
      await moveSubscriptions(connection, updates);
      details.encodeDraftWindows(invoices.filter((i) => !issueNow(i)));
      await encodeInvoiceIssuedNotices(rows, direct.map((i) => ({ id: i.id, serviceId: i.group.serviceId })), details.notices);
      await writeHeldReferences(connection, referencesHeld, () => writeInvoiceDetails(connection, details));
      const announced = invoices.filter((i) => !i.group.shadow).map((i) => ({ id: i.id, serviceId: i.group.serviceId }));
      const listening = await servicesListeningToInvoices(tx, [...new Set(announced.map((i) => i.serviceId))]);
      const issueDecisions = new Map(direct.map((i) => [i.id, issueFields({ id: i.id, issuingDate: i.issuingDate, totalCents: i.amounts.totalCents, creditsAppliedCents: BigInt(0), netPaymentTermDays: i.customer.netPaymentTermDays }, profile, now)]));
      const invoiceRows = new InvoiceRows(invoices, issueDecisions, billedTo, profile, await transactionNow(connection));
      const numbers = await takeInvoiceNumbers(tx, direct);
      await writeHeldReferences(connection, referencesHeld, () => invoiceRows.write(connection, numbers));
      await recordCouponConsumption(tx, couponBook, invoices.map((i) => ({ invoiceId: i.id, rows: i.couponsUsed })), now);
      let creditNotes = 0;
      const refundCreditNoteIds: string[] = [];
      for (const { credits } of composed) {
        for (const { sub, step } of credits) {
          if (sub.onTerminationCreditNote === "skip" || sub.shadow) continue;
          const credit = step.unusedAdvanceCredit!;
          const billedLine = await tx.invoiceLine.findFirst({
            where: { subscriptionId: sub.id, kind: "subscription_fee", periodStart: credit.period.start, invoice: { status: { in: ["finalized", "paid"] } } },
            orderBy: { invoice: { createdAt: "desc" } },
          });
          if (!billedLine) continue;
          const billedInvoice = (await loadCreditableInvoice(tx, billedLine.invoiceId))!;
          const creditCents = terminationCreditCents(credit.proration.amountCents, billedInvoice, billedLine.id);
          if (creditCents <= BigInt(0)) continue;
          for (const part of terminationCreditParts(sub.onTerminationCreditNote, creditCents, billedInvoice)) {
            const note = await issueCreditNote(tx, {
              invoiceId: billedLine.invoiceId,
              reason: "order_cancellation",
              description: `Unused days ${credit.proration.fromDate} to ${credit.proration.toDate} of ${sub.plan?.name ?? "the plan"}`,
              kind: part.kind,
              items: [{ invoiceLineId: billedLine.id, amountCents: part.amountCents }],
            }, now);
            creditNotes += 1;
            if (part.kind === "refund") refundCreditNoteIds.push(note.id);
          }
        }
      }
      // After the credit notes: an upgrade's credit is consumed by the invoice of the same boundary.
      await issueInvoices(tx, afterCredits.map((i) => i.id), now, { webhookEvents: false });
      // Webhook events once every invoice is in its final state; both skip services without a listening endpoint.
      await recordInvoiceEvents(tx, announced, (i) => invoiceIssueTypes(i.status, i.paymentStatus), listening);
      await recordSubscriptionEvents(tx, updates.filter((u) => u.terminatedAt).map((u) => ({ subscriptionId: u.id, type: "subscription.terminated" as const })));
      return { invoices: invoices.length, billed: updates.length, creditNotes, refundCreditNoteIds, failures };
    },
    { timeout: 120_000, maxWait: 20_000 },
  );
}

/**
 * A termination's credit for unused prepaid days, before tax: the prorated gross fee scaled to what the line was billed
 * net of coupons and progressive-billing credit (rounded half up once), capped at what is still creditable on the line
 * and on the invoice, so the close never asks for more than issueCreditNote allows.
 */
export function terminationCreditCents(proratedCents: bigint, invoice: Parameters<typeof creditableCents>[0], invoiceLineId: string): bigint {
  const grossLines = invoice.lines.reduce((sum, l) => sum + l.amountCents, BigInt(0));
  const net = netShareCents(proratedCents, grossLines, invoice.subtotalCents);
  const { lineCents, invoiceCents } = creditableCents(invoice, invoiceLineId);
  let cents = net;
  if (lineCents !== null && lineCents < cents) cents = lineCents;
  if (invoiceCents < cents) cents = invoiceCents;
  return cents > BigInt(0) ? cents : BigInt(0);
}

/**
 * How a termination's credit for unused prepaid days is issued (Lago's on_termination_credit_note): `refund` and
 * `offset` pay back the share of the fee's invoice the customer has paid (a refund credit note, paid to the card by the
 * refund job) and credit the unpaid share; `credit` credits it all. The paid share is split pro rata before tax, rounded half up once.
 */
export function terminationCreditParts(
  option: string,
  amountCents: bigint,
  invoice: { totalCents: bigint; amountPaidCents: bigint },
): { kind: "refund" | "credit"; amountCents: bigint }[] {
  if (option !== "refund" && option !== "offset") return [{ kind: "credit", amountCents }];
  const paid = invoice.amountPaidCents < invoice.totalCents ? invoice.amountPaidCents : invoice.totalCents;
  const refunded = invoice.totalCents > BigInt(0) && paid > BigInt(0) ? mulDivHalfUp(amountCents, paid, invoice.totalCents) : BigInt(0);
  return [
    ...(refunded > BigInt(0) ? [{ kind: "refund" as const, amountCents: refunded }] : []),
    ...(amountCents - refunded > BigInt(0) ? [{ kind: "credit" as const, amountCents: amountCents - refunded }] : []),
  ];
}

/** Bills one group on its own (a chunk of one). */
export async function billGroup(client: Db, group: BillingGroup, now = new Date(), run?: RunConstants) {
  return billChunk(client, [group], now, run);
}

/** Chunks billed at once by a run, and groups per chunk (runBillingCycle's defaults). */
export const BILLING_CONCURRENCY = 3;
export const BILLING_CHUNK_SIZE = 1000;

/** Bound on catch-up passes (one per period a subscription is behind): ten years of weekly periods. */
const MAX_PASSES = 530;

/** Bills every boundary due up to `upTo`, including boundaries missed while no run happened. */
export async function runBillingCycle(client: Db, upTo = new Date(), options: BillingRunOptions = {}): Promise<BillingRunSummary> {
  await activateDueSubscriptions(client, upTo, options.serviceId);
  await recordEndedTrials(client, upTo, options.serviceId);
  const summary: BillingRunSummary = { subscriptionsBilled: 0, invoicesCreated: 0, creditNotesIssued: 0, refundCreditNoteIds: [], failures: [] };
  // Chunks of 1000, three at a time: a chunk queues for the invoice number series only to write its invoices (and to
  // commit, where its details' keys to them are checked), so while one does the others read, compose and write the
  // rest. Three connections of the process's pool (DB_POOL_MAX, 10 by default).
  const concurrency = options.concurrency ?? BILLING_CONCURRENCY;
  const chunkSize = options.chunkSize ?? BILLING_CHUNK_SIZE;
  const now = upTo > new Date() ? upTo : new Date();
  const run: RunConstants = { planCharges: new Map(), plans: new Map(), profile: await companyProfile(client), heldReferenceWrites: await heldReferenceWritesAllowed(client) };
  // A group that failed stays due: it is reported once and not tried again in this run's later passes.
  const failed = new Set<string>();
  const failedKey = (g: { customerId: string; serviceId: string }) => `${g.customerId}:${g.serviceId}`;
  const record = (result: Awaited<ReturnType<typeof billChunk>>) => {
    summary.subscriptionsBilled += result.billed;
    summary.invoicesCreated += result.invoices;
    summary.creditNotesIssued += result.creditNotes;
    summary.refundCreditNoteIds.push(...result.refundCreditNoteIds);
    summary.failures.push(...result.failures);
    for (const failure of result.failures) failed.add(failedKey(failure));
  };
  const countDue = async () => {
    const [{ due }] = await client.$queryRaw<{ due: bigint }[]>`
      SELECT count(*) AS due FROM "Subscription"
       WHERE "nextBillingAt" <= ${upTo} AND status IN ('active', 'terminated')
         AND (${options.serviceId ?? null}::uuid IS NULL OR "serviceId" = ${options.serviceId ?? null}::uuid)
         AND NOT ${QUARANTINED}`;
    return Number(due);
  };
  const fail = (failure: BillingFailure) => {
    failed.add(failedKey(failure));
    summary.failures.push(failure);
  };
  // Each pass walks the due groups once in (boundary, customer, service) order. Billing a boundary moves the
  // subscription to its next one, which may be due too (a subscription several periods behind) but may sort before the
  // pass's cursor: passes repeat until one bills nothing, so a run bills every boundary due up to `upTo`.
  const billOrSplit = async (chunk: BillingGroup[]) => {
    try {
      record(await billChunk(client, chunk, now, run));
    } catch (error) {
      // A database that does not match the code (migrations not applied) fails the run instead of quarantining every group.
      if (isSchemaError(error)) throw error;
      if (!isUniqueViolation(error) && chunk.length === 1) {
        const [group] = chunk;
        if (!isRetryableConflict(error)) fail({ customerId: group.customerId, serviceId: group.serviceId, boundary: group.boundary.toISOString(), shadow: group.shadow, code: "internal_error", error: (error as Error).message });
        return;
      }
      // The chunk failed as a whole (a race on a billing key, or one bad row): bill its groups one by one.
      for (const group of chunk) {
        try {
          record(await billGroup(client, group, now, run));
        } catch (single) {
          if (isSchemaError(single)) throw single;
          if (isUniqueViolation(single) || isRetryableConflict(single)) continue;
          fail({ customerId: group.customerId, serviceId: group.serviceId, boundary: group.boundary.toISOString(), shadow: group.shadow, code: single instanceof DomainError ? single.code : "internal_error", error: (single as Error).message });
        }
      }
    }
  };
  // A boundary before billing existed is bad data (a 1970 start), not decades of invoices to issue.
  const billable = (group: BillingGroup) => {
    if (failed.has(failedKey(group))) return false;
    if (group.boundary >= EARLIEST_BILLABLE_BOUNDARY) return true;
    fail({
      customerId: group.customerId, serviceId: group.serviceId, boundary: group.boundary.toISOString(), shadow: group.shadow, code: "implausible_billing_date",
      error: `The billing date ${group.boundary.toISOString().slice(0, 10)} is before ${EARLIEST_BILLABLE_BOUNDARY.toISOString().slice(0, 4)}: the subscription's dates are wrong`,
    });
    return false;
  };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const billedBefore = summary.subscriptionsBilled;
    const dueAtStart = (await countDue()) + billedBefore;
    // `concurrency` workers take chunks from one queue, each as soon as its last is done, so a slow chunk (or one
    // waiting for the number series) never holds the others back.
    const nextChunk = dueChunks(
      (cursor) => dueGroups(client, upTo, cursor, chunkSize * concurrency * 2, options.serviceId),
      billable,
      chunkSize,
      () => options.onProgress?.(summary, dueAtStart),
    );
    // Every worker is let finish before a failure (a page that could not be read) is passed on.
    const workers = await Promise.allSettled(
      Array.from({ length: concurrency }, async () => {
        for (let chunk = await nextChunk(); chunk; chunk = await nextChunk()) await billOrSplit(chunk);
      }),
    );
    for (const worker of workers) if (worker.status === "rejected") throw worker.reason;
    await options.onProgress?.(summary, dueAtStart);
    if (summary.subscriptionsBilled === billedBefore) break;
  }
  // Each group that could not be billed is set aside with its reason: later runs skip it until staff release it.
  await quarantineFailures(client, summary.failures, options.billingRunId ?? null);
  return summary;
}
