/**
 * The NexaCloud importer: NexaCloud's users, plans, subscriptions and usage become shadow data of the NexaCloud service.
 *
 * - Read-only on NexaCloud: one snapshot read in a READ ONLY transaction (source-database.ts).
 * - Idempotent: every row is keyed by its NexaCloud id (account link external id, `<service>_legacy_<id>` plan code,
 *   subscription external id, `nexacloud:usage:<id>` idempotency key); a row equal to what is stored is left untouched,
 *   so a re-run writes nothing.
 * - Row isolation: rows are written in chunks inside a savepoint; when a chunk fails, its rows are written again one by
 *   one, each in its own savepoint, so one bad row fails alone with its reason.
 * - Dry run: the same work in one transaction that is rolled back at the end.
 * - Shadow-safe by construction: only into a shadow service; subscriptions are `shadow`; the usage charge hangs on the
 *   subscription, never on a plan; NexaCloud's Stripe customer id is kept in metadata, never as a payment method.
 */
import { randomUUID } from "node:crypto";
import { periodContaining } from "@/lib/billing/billing-periods";
import { addDays, isCalendarDate, startOfLocalDay } from "@/lib/billing/calendar-date";
import { decimal, parseDecimal, type Decimal } from "@/lib/billing/decimal";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { recordImportRun, startImportRun as startSourceImportRun, type ImportCounts } from "@/lib/migration/import-runs";
import { scheduleOf } from "@/lib/subscriptions/billing-schedule";
import { readSourceSnapshot, type SourcePlan, type SourceSnapshot, type SourceSubscription, type SourceUsage, type SourceUser } from "./source-database";

export const IMPORT_KIND = "nexacloud";
export const CPU_METRIC_CODE = "cpu_seconds";
const SECONDS_PER_CPU_HOUR = 3600;
const CHUNK_SIZE = 200;

export type RowOutcome = "created" | "updated" | "unchanged" | "skipped" | "failed";
export type ImportEntity = "plan" | "user" | "subscription" | "usage";

export interface ImportLogEntry {
  level: "info" | "warning" | "error";
  entity: ImportEntity | "run";
  sourceId: string | null;
  outcome?: RowOutcome;
  message: string;
}

export type { ImportCounts };

export interface ImportSummary {
  counts: ImportCounts;
  byEntity: Record<ImportEntity, ImportCounts>;
  /** Outcome per row, keyed `<entity>:<NexaCloud id>`. */
  outcomes: Map<string, RowOutcome>;
  log: ImportLogEntry[];
  durationMs: number;
}

/** A row refused with its reason (bucket failed), or set aside on purpose (bucket skipped). */
class RowRefused extends Error {}
class RowSkipped extends Error {}
class DryRunRollback extends Error {}

interface Decision {
  entity: ImportEntity;
  sourceId: string;
  outcome: RowOutcome;
  message?: string;
  warnings: string[];
  write?: (tx: Prisma.TransactionClient) => Promise<void>;
  /** Usage rows to create: written together in the fast path. */
  rollup?: Prisma.UsageRollupCreateManyInput;
  /** Applied to the in-memory state once the write is committed to the savepoint. */
  commit?: () => void;
}

interface ImportedSubscription {
  id: string;
  customerId: string;
  timezone: string;
  startedAt: Date;
  terminatedAt: Date | null;
}

interface State {
  service: { id: string; code: string };
  metricId: string;
  now: Date;
  plans: Map<string, { id: string; name: string; amountCents: bigint; description: string | null; source: SourcePlan }>;
  customers: Map<string, { id: string; timezone: string; legalName: string; displayName: string | null; email: string | null; province: string | null; country: string; metadata: Prisma.JsonValue }>;
  subscriptions: Map<string, ImportedSubscription & { planId: string | null; status: string; canceledAt: Date | null; name: string | null }>;
  charges: Map<string, { id: string; includedQuantity: string; amount: string }>;
  rollups: Map<string, { id: string; subscriptionId: string; periodStart: Date; periodEnd: Date; value: string }>;
  firstUserOfEmail: Map<string, string>;
  deploymentSubscription: Map<string, string | null>;
}

const usageKey = (sourceId: string) => `nexacloud:usage:${sourceId}`;
const planCode = (serviceCode: string, sourceId: string) => `${serviceCode}_legacy_${sourceId}`;
const emptyCounts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
const sameDate = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
/** JSON with sorted keys: jsonb does not keep key order. */
const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

/** Creates the run record (status running) that the import then fills in. Refused while another import of the service runs. */
export function startImportRun(client: Db, input: { dryRun: boolean; startedById: string | null; serviceId: string }): Promise<string> {
  return startSourceImportRun(client, IMPORT_KIND, input);
}

/** Runs the import of run `runId` and records its counts, progress and log on it. Never throws for the source's faults. */
export function executeImportRun(client: Db, runId: string, input: { dsn: string; serviceId: string; dryRun: boolean; now?: Date }): Promise<ImportSummary | null> {
  return recordImportRun(client, runId, { dryRun: input.dryRun }, (onProgress) => importNexaCloud(client, { ...input, onProgress }));
}

export async function importNexaCloud(
  client: Db,
  input: { dsn: string; serviceId: string; dryRun: boolean; now?: Date; onProgress?: (processed: number, total: number, counts: ImportCounts) => Promise<void> },
): Promise<ImportSummary> {
  const began = Date.now();
  const service = await client.service.findUnique({ where: { id: input.serviceId } });
  if (!service) throw new DomainError("not_found", "service_not_found", undefined, "The target service does not exist.");
  if (service.mode !== "shadow") {
    throw new DomainError("not_allowed", "service_not_shadow", undefined, `${service.name} is live: NexaCloud accounts are imported into a shadow service only.`);
  }
  const snapshot = await readSourceSnapshot(input.dsn);
  const total = snapshot.plans.length + snapshot.users.length + snapshot.subscriptions.length + snapshot.usage.length;
  const summary: ImportSummary = {
    counts: emptyCounts(),
    byEntity: { plan: emptyCounts(), user: emptyCounts(), subscription: emptyCounts(), usage: emptyCounts() },
    outcomes: new Map(),
    log: [],
    durationMs: 0,
  };
  let processed = 0;
  await input.onProgress?.(0, total, summary.counts);

  const work = async (tx: Prisma.TransactionClient, state: State, rows: { entity: ImportEntity; items: unknown[] }[]) => {
    for (const { entity, items } of rows) {
      for (let offset = 0; offset < items.length; offset += CHUNK_SIZE) {
        const chunk = items.slice(offset, offset + CHUNK_SIZE);
        await writeChunk(tx, chunk.map((item) => decide(state, entity, item)), summary);
        processed += chunk.length;
      }
    }
  };
  const entities = (s: SourceSnapshot) => [
    { entity: "plan" as const, items: s.plans },
    { entity: "user" as const, items: s.users },
    { entity: "subscription" as const, items: s.subscriptions },
    { entity: "usage" as const, items: s.usage },
  ];

  if (input.dryRun) {
    try {
      await client.$transaction(
        async (tx) => {
          const state = await loadState(tx, service, snapshot, input.now ?? new Date());
          for (const group of entities(snapshot)) {
            await work(tx, state, [group]);
            await input.onProgress?.(processed, total, summary.counts);
          }
          throw new DryRunRollback();
        },
        { timeout: 10 * 60_000, maxWait: 10_000 },
      );
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
  } else {
    const state = await loadState(client, service, snapshot, input.now ?? new Date());
    for (const { entity, items } of entities(snapshot)) {
      for (let offset = 0; offset < items.length; offset += CHUNK_SIZE) {
        await client.$transaction((tx) => work(tx, state, [{ entity, items: items.slice(offset, offset + CHUNK_SIZE) }]), { timeout: 5 * 60_000, maxWait: 10_000 });
        await input.onProgress?.(processed, total, summary.counts);
      }
    }
  }
  summary.durationMs = Date.now() - began;
  return summary;
}

async function loadState(tx: Prisma.TransactionClient | Db, service: { id: string; code: string }, snapshot: SourceSnapshot, now: Date): Promise<State> {
  let metric = await tx.billableMetric.findFirst({ where: { code: CPU_METRIC_CODE, deletedAt: null }, orderBy: { createdAt: "asc" } });
  if (metric && metric.aggregation !== "sum") {
    throw new DomainError("invalid", "metric_not_summed", undefined, `Metric ${CPU_METRIC_CODE} must aggregate with sum to take NexaCloud's CPU hours.`);
  }
  metric ??= await tx.billableMetric.create({
    data: { serviceId: service.id, code: CPU_METRIC_CODE, name: "CPU seconds", aggregation: "sum", fieldName: "seconds" },
  });
  const sourcePlans = new Map(snapshot.plans.map((p) => [p.id, p]));
  const legacyPrefix = planCode(service.code, "");
  const [plans, links, subscriptions, rollups] = await Promise.all([
    tx.plan.findMany({ where: { serviceId: service.id, code: { startsWith: legacyPrefix }, deletedAt: null, parentId: null } }),
    tx.accountLink.findMany({ where: { serviceId: service.id, deletedAt: null }, include: { customer: true } }),
    tx.subscription.findMany({ where: { serviceId: service.id, shadow: true }, include: { customer: { select: { timezone: true } }, charges: { where: { deletedAt: null, billableMetricId: metric.id } } } }),
    tx.usageRollup.findMany({ where: { serviceId: service.id, idempotencyKey: { startsWith: "nexacloud:usage:" } } }),
  ]);
  const state: State = {
    service,
    metricId: metric.id,
    now,
    plans: new Map(),
    customers: new Map(),
    subscriptions: new Map(),
    charges: new Map(),
    rollups: new Map(),
    firstUserOfEmail: new Map(),
    deploymentSubscription: new Map(snapshot.deployments.map((d) => [d.id, d.subscription_id])),
  };
  for (const plan of plans) {
    const sourceId = plan.code.slice(legacyPrefix.length);
    const source = sourcePlans.get(sourceId);
    if (source) state.plans.set(sourceId, { id: plan.id, name: plan.name, amountCents: plan.amountCents, description: plan.description, source });
  }
  for (const link of links) {
    if (link.customer.deletedAt) continue;
    const c = link.customer;
    state.customers.set(link.externalId, { id: c.id, timezone: c.timezone, legalName: c.legalName, displayName: c.displayName, email: c.email, province: c.province, country: c.country, metadata: c.metadata });
  }
  for (const s of subscriptions) {
    state.subscriptions.set(s.externalId, {
      id: s.id, customerId: s.customerId, timezone: s.customer.timezone, startedAt: s.startedAt ?? s.subscriptionAt, terminatedAt: s.terminatedAt,
      planId: s.planId, status: s.status, canceledAt: s.canceledAt, name: s.name,
    });
    const charge = s.charges[0];
    if (charge) state.charges.set(s.id, { id: charge.id, includedQuantity: decimal(charge.includedQuantity.toString()).toString(), amount: String((charge.properties as { amount?: string }).amount ?? "") });
  }
  for (const r of rollups) {
    state.rollups.set(r.idempotencyKey, { id: r.id, subscriptionId: r.subscriptionId, periodStart: r.periodStart, periodEnd: r.periodEnd, value: decimal(r.value.toString()).toString() });
  }
  for (const user of snapshot.users) {
    const email = user.email?.trim().toLowerCase();
    if (email && !state.firstUserOfEmail.has(email)) state.firstUserOfEmail.set(email, user.id);
  }
  return state;
}

function decide(state: State, entity: ImportEntity, item: unknown): Decision {
  const sourceId = (item as { id: string }).id;
  const warnings: string[] = [];
  try {
    switch (entity) {
      case "plan":
        return decidePlan(state, item as SourcePlan, warnings);
      case "user":
        return decideUser(state, item as SourceUser, warnings);
      case "subscription":
        return decideSubscription(state, item as SourceSubscription, warnings);
      case "usage":
        return decideUsage(state, item as SourceUsage, warnings);
    }
  } catch (error) {
    if (error instanceof RowRefused) return { entity, sourceId, outcome: "failed", message: error.message, warnings };
    if (error instanceof RowSkipped) return { entity, sourceId, outcome: "skipped", message: error.message, warnings };
    return { entity, sourceId, outcome: "failed", message: `Unexpected error: ${(error as Error).message}`, warnings };
  }
}

function nonNegativeDecimal(text: string | null | undefined, what: string): Decimal {
  const value = text === null || text === undefined ? null : parseDecimal(String(text));
  if (value === null) throw new RowRefused(`${what} is not a number (${JSON.stringify(text)}).`);
  if (value.isNegative()) throw new RowRefused(`${what} is negative (${text}).`);
  return value;
}

function decidePlan(state: State, plan: SourcePlan, warnings: string[]): Decision {
  const price = Number(plan.monthly_price_cents);
  if (!Number.isSafeInteger(price) || price < 0) throw new RowRefused(`Monthly price ${plan.monthly_price_cents} is not a whole, non-negative number of cents.`);
  const included = nonNegativeDecimal(plan.included_cpu_hours, "Included CPU hours");
  const overage = nonNegativeDecimal(plan.overage_cents_per_cpu_hour, "Overage price");
  const name = `NexaCloud ${plan.name?.trim() || plan.code}`;
  const description = `Imported from NexaCloud plan ${plan.id} (${plan.code}): ${included} CPU hours included, ${overage} ¢ per extra CPU hour (charged per subscription).`;
  const existing = state.plans.get(plan.id);
  const base = { entity: "plan" as const, sourceId: plan.id, warnings };
  if (existing) {
    const commit = () => state.plans.set(plan.id, { ...existing, name, description, amountCents: BigInt(price), source: plan });
    if (existing.name === name && existing.amountCents === BigInt(price) && existing.description === description) {
      existing.source = plan;
      return { ...base, outcome: "unchanged" };
    }
    return { ...base, outcome: "updated", commit, write: async (tx) => void (await tx.plan.update({ where: { id: existing.id }, data: { name, description, amountCents: BigInt(price) } })) };
  }
  const id = randomUUID();
  const code = planCode(state.service.code, plan.id);
  return {
    ...base,
    outcome: "created",
    commit: () => state.plans.set(plan.id, { id, name, description, amountCents: BigInt(price), source: plan }),
    write: async (tx) => {
      const taken = await tx.plan.findFirst({ where: { code, deletedAt: null, parentId: null } });
      if (taken) throw new RowRefused(`Plan code ${code} is already used by another plan.`);
      // In arrears, monthly on calendar months: NexaCloud invoices each month after it ends.
      await tx.plan.create({ data: { id, serviceId: state.service.id, code, name, description, interval: "monthly", amountCents: BigInt(price), currency: "CAD", payInAdvance: false } });
    },
  };
}

function decideUser(state: State, user: SourceUser, warnings: string[]): Decision {
  const legalName = user.company?.trim() || user.name?.trim();
  if (!legalName) throw new RowRefused("The user has neither a name nor a company.");
  const email = user.email?.trim() || null;
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) warnings.push(`E-mail ${JSON.stringify(email)} does not look valid; imported as is.`);
  const firstOfEmail = email ? state.firstUserOfEmail.get(email.toLowerCase()) : undefined;
  if (firstOfEmail && firstOfEmail !== user.id) {
    warnings.push(`Shares its e-mail with NexaCloud user ${firstOfEmail}: imported as a separate customer (never merged automatically); merge them in the console if they are the same client.`);
  }
  const country = (user.country?.trim() || "CA").toUpperCase().slice(0, 2);
  const province = user.province?.trim().toUpperCase() || null;
  if (country === "CA" && !province) warnings.push("No province: Canadian tax cannot be computed, so its shadow invoices are computed without tax, with a note saying why, until one is set.");
  const displayName = user.company?.trim() && user.name?.trim() ? user.name.trim() : null;
  const nexacloud = { userId: user.id, stripeCustomerId: user.stripe_customer_id, createdAt: new Date(user.created_at).toISOString() };
  const existing = state.customers.get(user.id);
  const base = { entity: "user" as const, sourceId: user.id, warnings };
  if (existing) {
    const metadata = { ...((existing.metadata as Record<string, unknown>) ?? {}), nexacloud };
    const same = existing.legalName === legalName && existing.displayName === displayName && existing.email === email && existing.province === province &&
      existing.country === country && json((existing.metadata as Record<string, unknown>)?.nexacloud) === json(nexacloud);
    if (same) return { ...base, outcome: "unchanged" };
    return {
      ...base,
      outcome: "updated",
      commit: () => state.customers.set(user.id, { ...existing, legalName, displayName, email, province, country, metadata }),
      write: async (tx) => void (await tx.customer.update({ where: { id: existing.id }, data: { legalName, displayName, email, province, country, metadata } })),
    };
  }
  const id = randomUUID();
  // NexaCloud bills calendar months in UTC; the imported customer keeps that clock so shadow periods line up with its.
  const timezone = "UTC";
  return {
    ...base,
    outcome: "created",
    commit: () => state.customers.set(user.id, { id, timezone, legalName, displayName, email, province, country, metadata: { nexacloud } }),
    write: async (tx) => {
      await tx.customer.create({ data: { id, legalName, displayName, email, province, country, timezone, metadata: { nexacloud } } });
      await tx.accountLink.create({ data: { serviceId: state.service.id, externalId: user.id, customerId: id } });
    },
  };
}

function decideSubscription(state: State, sub: SourceSubscription, warnings: string[]): Decision {
  const customer = state.customers.get(sub.user_id);
  if (!customer) throw new RowSkipped(`User ${sub.user_id} was not imported.`);
  if (sub.plan_id === null) throw new RowSkipped("No plan (NexaCloud's free tier): nothing to bill.");
  const plan = state.plans.get(sub.plan_id);
  if (!plan) throw new RowRefused(`Unknown plan id ${sub.plan_id}.`);
  let status: "active" | "terminated";
  if (["active", "past_due", "trialing"].includes(sub.status)) status = "active";
  else if (sub.status === "canceled") status = "terminated";
  else throw new RowRefused(`Unknown status ${JSON.stringify(sub.status)}.`);
  const startedAt = new Date(sub.started_at);
  const canceledAt = sub.canceled_at ? new Date(sub.canceled_at) : null;
  if (status === "terminated" && !canceledAt) throw new RowRefused("Cancelled without a cancellation date.");
  if (canceledAt && canceledAt < startedAt) throw new RowRefused("Cancelled before it started.");
  if (status === "active" && canceledAt) warnings.push(`Active but has a cancellation date (${canceledAt.toISOString()}); imported as active.`);
  const terminatedAt = status === "terminated" ? canceledAt : null;
  const name = `NexaCloud subscription ${sub.id}`;
  const source = plan.source;
  const includedQuantity = decimal(source.included_cpu_hours).mul(SECONDS_PER_CPU_HOUR).toString();
  const amount = decimal(source.overage_cents_per_cpu_hour).div(100).div(SECONDS_PER_CPU_HOUR).toString();
  const existing = state.subscriptions.get(sub.id);
  const base = { entity: "subscription" as const, sourceId: sub.id, warnings };

  // One usage charge per subscription, on the subscription itself (never on a plan), keyed by (subscription, metric).
  const chargeWrite = async (tx: Prisma.TransactionClient, subscriptionId: string, chargeId: string, exists: boolean) => {
    const data = { includedQuantity: new Prisma.Decimal(includedQuantity), properties: { amount } };
    if (exists) await tx.charge.update({ where: { id: chargeId }, data });
    else {
      await tx.charge.create({
        data: { ...data, id: chargeId, subscriptionId, planId: null, billableMetricId: state.metricId, code: CPU_METRIC_CODE, chargeModel: "standard", invoiceDisplayName: "CPU overage" },
      });
    }
  };
  const nextBillingAt = (timezone: string) => {
    if (status !== "active") return null;
    const schedule = scheduleOf({ billingTime: "calendar", billingAnchorDate: startedAt }, { interval: "monthly" }, timezone);
    // Shadow billing starts with the period in progress: NexaCloud has invoiced the earlier ones.
    return periodContaining(startedAt > state.now ? startedAt : state.now, schedule).end;
  };

  if (existing) {
    const charge = state.charges.get(existing.id);
    const chargeId = charge?.id ?? randomUUID();
    const chargeSame = charge && charge.includedQuantity === decimal(includedQuantity).toString() && charge.amount === amount;
    const same = existing.customerId === customer.id && existing.planId === plan.id && existing.status === status && sameDate(existing.startedAt, startedAt) &&
      sameDate(existing.terminatedAt, terminatedAt) && sameDate(existing.canceledAt, canceledAt) && existing.name === name;
    if (same && chargeSame) return { ...base, outcome: "unchanged" };
    const statusChanged = existing.status !== status;
    return {
      ...base,
      outcome: "updated",
      commit: () => {
        state.subscriptions.set(sub.id, { ...existing, customerId: customer.id, planId: plan.id, status, startedAt, terminatedAt, canceledAt, name });
        state.charges.set(existing.id, { id: chargeId, includedQuantity: decimal(includedQuantity).toString(), amount });
      },
      write: async (tx) => {
        if (!same) {
          await tx.subscription.update({
            where: { id: existing.id },
            data: {
              customerId: customer.id, planId: plan.id, status, startedAt, subscriptionAt: startedAt, billingAnchorDate: startedAt, terminatedAt, canceledAt, name, shadow: true,
              ...(statusChanged ? { nextBillingAt: nextBillingAt(customer.timezone) } : {}),
            },
          });
        }
        if (!chargeSame) await chargeWrite(tx, existing.id, chargeId, Boolean(charge));
      },
    };
  }
  const id = randomUUID();
  const chargeId = randomUUID();
  return {
    ...base,
    outcome: "created",
    commit: () => {
      state.subscriptions.set(sub.id, { id, customerId: customer.id, timezone: customer.timezone, startedAt, terminatedAt, planId: plan.id, status, canceledAt, name });
      state.charges.set(id, { id: chargeId, includedQuantity: decimal(includedQuantity).toString(), amount });
    },
    write: async (tx) => {
      await tx.subscription.create({
        data: {
          id, externalId: sub.id, name, customerId: customer.id, serviceId: state.service.id, planId: plan.id, status, billingTime: "calendar",
          billingAnchorDate: startedAt, subscriptionAt: startedAt, startedAt, terminatedAt, canceledAt, shadow: true, nextBillingAt: nextBillingAt(customer.timezone),
        },
      });
      await chargeWrite(tx, id, chargeId, false);
    },
  };
}

/** The usage row's window in the customer's clock: a month (YYYY-MM) or a day (YYYY-MM-DD). */
function usageWindow(period: string, timezone: string): { start: Date; end: Date } {
  const text = period.trim();
  if (/^\d{4}-\d{2}$/.test(text) && isCalendarDate(`${text}-01`)) {
    const first = `${text}-01`;
    const period = periodContaining(startOfLocalDay(first, timezone), { interval: "monthly", billingTime: "calendar", anchorDate: first, timezone });
    return { start: period.start, end: period.end };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text) && isCalendarDate(text)) return { start: startOfLocalDay(text, timezone), end: startOfLocalDay(addDays(text, 1), timezone) };
  throw new RowRefused(`Period ${JSON.stringify(period)} is neither YYYY-MM nor YYYY-MM-DD.`);
}

function decideUsage(state: State, usage: SourceUsage, warnings: string[]): Decision {
  let sourceSubscriptionId = usage.subscription_id;
  if (!sourceSubscriptionId) {
    if (!usage.deployment_id || !state.deploymentSubscription.has(usage.deployment_id)) throw new RowRefused(`Unknown deployment ${usage.deployment_id}.`);
    sourceSubscriptionId = state.deploymentSubscription.get(usage.deployment_id) ?? null;
    if (!sourceSubscriptionId) throw new RowRefused(`Deployment ${usage.deployment_id} belongs to no subscription.`);
  }
  const sub = state.subscriptions.get(sourceSubscriptionId);
  if (!sub) throw new RowSkipped(`Subscription ${sourceSubscriptionId} was not imported.`);
  const hours = nonNegativeDecimal(usage.cpu_hours, "CPU hours");
  const window = usageWindow(usage.period, sub.timezone);
  // Usage counts in the billing window that contains its start: clamp it to the subscription's life.
  const periodStart = window.start < sub.startedAt ? sub.startedAt : window.start;
  const periodEnd = sub.terminatedAt && sub.terminatedAt < window.end ? sub.terminatedAt : window.end;
  if (periodEnd <= periodStart) throw new RowRefused(`Period ${usage.period} lies outside subscription ${sourceSubscriptionId}'s life.`);
  const value = hours.mul(SECONDS_PER_CPU_HOUR).toString();
  const key = usageKey(usage.id);
  const existing = state.rollups.get(key);
  const base = { entity: "usage" as const, sourceId: usage.id, warnings };
  if (existing) {
    if (existing.subscriptionId === sub.id && sameDate(existing.periodStart, periodStart) && sameDate(existing.periodEnd, periodEnd) && existing.value === value) {
      return { ...base, outcome: "unchanged" };
    }
    return {
      ...base,
      outcome: "updated",
      commit: () => state.rollups.set(key, { ...existing, subscriptionId: sub.id, periodStart, periodEnd, value }),
      write: async (tx) => void (await tx.usageRollup.update({ where: { id: existing.id }, data: { subscriptionId: sub.id, periodStart, periodEnd, value: new Prisma.Decimal(value) } })),
    };
  }
  const rollup: Prisma.UsageRollupCreateManyInput = {
    id: randomUUID(), serviceId: state.service.id, subscriptionId: sub.id, billableMetricId: state.metricId, periodStart, periodEnd, value: new Prisma.Decimal(value), idempotencyKey: key,
  };
  return {
    ...base,
    outcome: "created",
    rollup,
    commit: () => state.rollups.set(key, { id: rollup.id!, subscriptionId: sub.id, periodStart, periodEnd, value }),
    write: async (tx) => void (await tx.usageRollup.create({ data: rollup })),
  };
}

async function inSavepoint(tx: Prisma.TransactionClient, work: () => Promise<void>): Promise<void> {
  await tx.$executeRawUnsafe("SAVEPOINT nexacloud_row");
  try {
    await work();
  } catch (error) {
    await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT nexacloud_row");
    throw error;
  }
  await tx.$executeRawUnsafe("RELEASE SAVEPOINT nexacloud_row");
}

/** Writes a chunk's rows together; when that fails, one by one so only the bad rows fail. Then tallies and logs. */
async function writeChunk(tx: Prisma.TransactionClient, decisions: Decision[], summary: ImportSummary): Promise<void> {
  const writing = decisions.filter((d) => d.write);
  if (writing.length > 0) {
    let together = true;
    try {
      await inSavepoint(tx, async () => {
        const rollups = writing.filter((d) => d.rollup).map((d) => d.rollup!);
        if (rollups.length) await tx.usageRollup.createMany({ data: rollups });
        for (const d of writing) if (!d.rollup) await d.write!(tx);
      });
    } catch {
      together = false;
    }
    if (!together) {
      for (const d of writing) {
        try {
          await inSavepoint(tx, () => d.write!(tx));
        } catch (error) {
          d.outcome = "failed";
          d.message = error instanceof RowRefused ? error.message : `Not written: ${(error as Error).message.split("\n").filter(Boolean).slice(-1)[0]}`;
        }
      }
    }
    for (const d of writing) if (d.outcome !== "failed") d.commit?.();
  }
  for (const d of decisions) {
    summary.counts[d.outcome] += 1;
    summary.byEntity[d.entity][d.outcome] += 1;
    summary.outcomes.set(`${d.entity}:${d.sourceId}`, d.outcome);
    if (d.outcome === "failed" || d.outcome === "skipped") {
      summary.log.push({ level: d.outcome === "failed" ? "error" : "info", entity: d.entity, sourceId: d.sourceId, outcome: d.outcome, message: d.message ?? d.outcome });
    }
    for (const warning of d.warnings) summary.log.push({ level: "warning", entity: d.entity, sourceId: d.sourceId, outcome: d.outcome, message: warning });
  }
}
