/**
 * The Lago importer: a Lago instance's billable metrics, plans with their charges, customers, subscriptions and the
 * usage its invoices billed become shadow data of one shadow service.
 *
 * - Read-only on Lago: GET calls through the official client (lago-api.ts).
 * - Idempotent, keyed by Lago's ids: a metric by its code (shared with the catalog when identical), a plan by
 *   `<service>_lago_<plan code>`, a customer by its account link (Lago's external_id), a subscription by Lago's lago_id
 *   (Subscription.sourceId), billed usage by `lago:fee:<fee lago_id>`. A row equal to what is stored is left untouched,
 *   so a re-run writes nothing.
 * - Row isolation: each row is written in its own savepoint, so one bad row fails alone with its reason.
 * - Dry run: the same work in one transaction rolled back at the end.
 * - Shadow-safe as the NexaCloud importer: only into a shadow service; subscriptions are `shadow` (never charged,
 *   finalized, e-mailed or announced to the app as live); Lago's Stripe customer id is kept in metadata, never as a
 *   payment method or as the customer's Stripe id (promotion adopts it).
 */
import { randomUUID } from "node:crypto";
import { periodContaining } from "@/lib/billing/billing-periods";
import { CHARGE_MODELS, validateChargeProperties, type ChargeModel } from "@/lib/billing/charge-models";
import { decimal } from "@/lib/billing/decimal";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { Prisma, type AggregationType, type PlanInterval } from "@/lib/generated/prisma/client";
import { recordImportRun, startImportRun, type ImportCounts } from "@/lib/migration/import-runs";
import { scheduleOf } from "@/lib/subscriptions/billing-schedule";
import { readLagoSnapshot, type LagoBillableMetric, type LagoConnection, type LagoCustomer, type LagoFee, type LagoPlan, type LagoSnapshot, type LagoSubscription } from "./lago-api";

export const LAGO_IMPORT_KIND = "lago";
const CHUNK_SIZE = 200;

export type LagoEntity = "metric" | "plan" | "customer" | "subscription" | "usage";
type Outcome = "created" | "updated" | "unchanged" | "skipped" | "failed";

export type LagoImportCounts = ImportCounts;

export interface LagoImportLogEntry {
  level: "info" | "warning" | "error";
  entity: LagoEntity | "run";
  sourceId: string | null;
  outcome?: Outcome;
  message: string;
}

export interface LagoImportSummary {
  counts: LagoImportCounts;
  byEntity: Record<LagoEntity, LagoImportCounts>;
  log: LagoImportLogEntry[];
  durationMs: number;
}

class RowRefused extends Error {}
class RowSkipped extends Error {}
class DryRunRollback extends Error {}

interface Decision {
  outcome: Outcome;
  message?: string;
  warnings: string[];
  write?: (tx: Prisma.TransactionClient) => Promise<void>;
  commit?: () => void;
}

type ChargeSpec = {
  code: string; billableMetricId: string; chargeModel: ChargeModel; properties: Prisma.InputJsonValue; payInAdvance: boolean; prorated: boolean;
  minAmountCents: bigint | null; invoiceDisplayName: string | null; position: number;
};
type PlanSpec = { name: string; description: string | null; invoiceDisplayName: string | null; interval: PlanInterval; amountCents: bigint; currency: string; payInAdvance: boolean; trialPeriodDays: string | null };
type CustomerSpec = {
  legalName: string; displayName: string | null; email: string | null; phone: string | null; addressLine1: string | null; addressLine2: string | null; city: string | null;
  province: string | null; postalCode: string | null; country: string; currency: string; timezone: string; taxIdentificationNumber: string | null; netPaymentTermDays: number | null;
};
type SubscriptionSpec = {
  externalId: string; name: string | null; customerId: string; planId: string; status: "active" | "terminated"; billingTime: "calendar" | "anniversary";
  startedAt: Date; terminatedAt: Date | null; endingAt: Date | null;
};

interface State {
  service: { id: string; code: string };
  now: Date;
  metrics: Map<string, { id: string; aggregation: AggregationType; fieldName: string | null; recurring: boolean }>;
  plans: Map<string, { id: string; spec: PlanSpec; charges: string; interval: PlanInterval; payInAdvance: boolean }>;
  customers: Map<string, { id: string; spec: CustomerSpec; lago: string; timezone: string }>;
  subscriptions: Map<string, { id: string; spec: SubscriptionSpec; timezone: string; startedAt: Date; terminatedAt: Date | null }>;
  rollups: Map<string, { id: string; subscriptionId: string; billableMetricId: string; periodStart: Date; periodEnd: Date; value: string }>;
  /** Lago charge id → the metric code it prices (fees name their charge). */
  chargeMetric: Map<string, string>;
}

const AGGREGATIONS: Record<string, AggregationType> = {
  count_agg: "count", sum_agg: "sum", max_agg: "max", unique_count_agg: "unique_count", latest_agg: "last", weighted_sum_agg: "weighted_sum",
};
const INTERVALS: readonly string[] = ["weekly", "monthly", "quarterly", "semiannual", "yearly"];
const PROVINCES: Record<string, string> = {
  ALBERTA: "AB", "BRITISH COLUMBIA": "BC", MANITOBA: "MB", "NEW BRUNSWICK": "NB", "NEWFOUNDLAND AND LABRADOR": "NL", "NOVA SCOTIA": "NS", ONTARIO: "ON",
  "PRINCE EDWARD ISLAND": "PE", QUEBEC: "QC", QUÉBEC: "QC", SASKATCHEWAN: "SK", "NORTHWEST TERRITORIES": "NT", NUNAVUT: "NU", YUKON: "YT",
};
const PROVINCE_CODES = new Set(Object.values(PROVINCES));

export const lagoPlanCode = (serviceCode: string, lagoCode: string) => `${serviceCode}_lago_${lagoCode}`;
export const lagoUsageKey = (feeId: string) => `lago:fee:${feeId}`;
const emptyCounts = (): LagoImportCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 });
const sameDate = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
const json = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
const blank = (text: string | null | undefined) => (text?.trim() ? text.trim() : null);

/** Lago's `to_datetime` is the last second of the window, inclusive; ours are exclusive. */
export function lagoWindowEnd(toDatetime: string): Date {
  return new Date(Date.parse(toDatetime) + 1000);
}

/** The Stripe customer Lago charged: its Stripe billing configuration, else a `stripe_customer_id` metadata entry. */
export function lagoStripeCustomerId(customer: LagoCustomer): string | null {
  const config = customer.billing_configuration;
  if (config?.payment_provider === "stripe" && blank(config.provider_customer_id)) return blank(config.provider_customer_id);
  const entry = (customer.metadata ?? []).find((m) => m.key === "stripe_customer_id");
  return blank(entry?.value);
}

export function startLagoImportRun(client: Db, input: { dryRun: boolean; startedById: string | null; serviceId: string }): Promise<string> {
  return startImportRun(client, LAGO_IMPORT_KIND, input);
}

/** Runs the import of run `runId`, recording counts, progress and log on it. Null when Lago itself failed (the run says why). */
export function executeLagoImportRun(client: Db, runId: string, input: { connection: LagoConnection; serviceId: string; dryRun: boolean; now?: Date }): Promise<LagoImportSummary | null> {
  return recordImportRun(client, runId, { dryRun: input.dryRun, sourceName: "Lago" }, (onProgress) => importLago(client, { ...input, onProgress }));
}

export async function importLago(
  client: Db,
  input: { connection: LagoConnection; serviceId: string; dryRun: boolean; now?: Date; onProgress?: (processed: number, total: number, counts: LagoImportCounts) => Promise<void> },
): Promise<LagoImportSummary> {
  const began = Date.now();
  const service = await client.service.findUnique({ where: { id: input.serviceId } });
  if (!service) throw new DomainError("not_found", "service_not_found", undefined, "The target service does not exist.");
  if (service.mode !== "shadow") throw new DomainError("not_allowed", "service_not_shadow", undefined, `${service.name} is live: Lago accounts are imported into a shadow service only.`);
  const snapshot = await readLagoSnapshot(input.connection);
  const fees = snapshot.invoices.flatMap((invoice) => invoice.fees.filter((f) => f.item?.type === "charge"));
  const groups: { entity: LagoEntity; items: unknown[] }[] = [
    { entity: "metric", items: snapshot.metrics },
    { entity: "plan", items: snapshot.plans },
    { entity: "customer", items: snapshot.customers },
    { entity: "subscription", items: snapshot.subscriptions },
    { entity: "usage", items: fees },
  ];
  const total = groups.reduce((n, g) => n + g.items.length, 0);
  const summary: LagoImportSummary = {
    counts: emptyCounts(),
    byEntity: { metric: emptyCounts(), plan: emptyCounts(), customer: emptyCounts(), subscription: emptyCounts(), usage: emptyCounts() },
    log: [],
    durationMs: 0,
  };
  let processed = 0;
  await input.onProgress?.(0, total, summary.counts);
  const now = input.now ?? new Date();

  const writeRows = async (tx: Prisma.TransactionClient, state: State, entity: LagoEntity, items: unknown[]) => {
    for (const item of items) {
      const sourceId = entity === "metric" || entity === "plan" ? (item as { code: string }).code : (item as { lago_id: string }).lago_id;
      const decision = decide(state, entity, item);
      if (decision.write) {
        try {
          await tx.$executeRawUnsafe("SAVEPOINT lago_row");
          await decision.write(tx);
          await tx.$executeRawUnsafe("RELEASE SAVEPOINT lago_row");
          decision.commit?.();
        } catch (error) {
          await tx.$executeRawUnsafe("ROLLBACK TO SAVEPOINT lago_row");
          decision.outcome = "failed";
          decision.message = error instanceof RowRefused ? error.message : `Not written: ${(error as Error).message.split("\n").filter(Boolean).slice(-1)[0]}`;
        }
      }
      summary.counts[decision.outcome] += 1;
      summary.byEntity[entity][decision.outcome] += 1;
      if (decision.outcome === "failed" || decision.outcome === "skipped") {
        summary.log.push({ level: decision.outcome === "failed" ? "error" : "info", entity, sourceId, outcome: decision.outcome, message: decision.message ?? decision.outcome });
      }
      for (const warning of decision.warnings) summary.log.push({ level: "warning", entity, sourceId, outcome: decision.outcome, message: warning });
      processed += 1;
    }
  };

  if (input.dryRun) {
    try {
      await client.$transaction(async (tx) => {
        const state = await loadState(tx, service, snapshot, now);
        for (const { entity, items } of groups) {
          await writeRows(tx, state, entity, items);
          await input.onProgress?.(processed, total, summary.counts);
        }
        throw new DryRunRollback();
      }, { timeout: 10 * 60_000, maxWait: 10_000 });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
  } else {
    const state = await loadState(client, service, snapshot, now);
    for (const { entity, items } of groups) {
      for (let offset = 0; offset < items.length; offset += CHUNK_SIZE) {
        await client.$transaction((tx) => writeRows(tx, state, entity, items.slice(offset, offset + CHUNK_SIZE)), { timeout: 5 * 60_000, maxWait: 10_000 });
        await input.onProgress?.(processed, total, summary.counts);
      }
    }
  }
  summary.durationMs = Date.now() - began;
  return summary;
}

async function loadState(tx: Prisma.TransactionClient | Db, service: { id: string; code: string }, snapshot: LagoSnapshot, now: Date): Promise<State> {
  const prefix = lagoPlanCode(service.code, "");
  const [metrics, plans, links, subscriptions, rollups] = await Promise.all([
    tx.billableMetric.findMany({ where: { code: { in: snapshot.metrics.map((m) => m.code) }, deletedAt: null } }),
    tx.plan.findMany({ where: { serviceId: service.id, code: { startsWith: prefix }, deletedAt: null, parentId: null }, include: { charges: { where: { deletedAt: null }, orderBy: { position: "asc" } } } }),
    tx.accountLink.findMany({ where: { serviceId: service.id, deletedAt: null }, include: { customer: true } }),
    tx.subscription.findMany({ where: { serviceId: service.id, shadow: true, sourceId: { not: null } }, include: { customer: { select: { timezone: true } } } }),
    tx.usageRollup.findMany({ where: { serviceId: service.id, idempotencyKey: { startsWith: "lago:fee:" } } }),
  ]);
  const state: State = {
    service, now, metrics: new Map(), plans: new Map(), customers: new Map(), subscriptions: new Map(), rollups: new Map(),
    chargeMetric: new Map(snapshot.plans.flatMap((p) => p.charges.map((c) => [c.lago_id, c.billable_metric_code] as const))),
  };
  for (const m of metrics) state.metrics.set(m.code, { id: m.id, aggregation: m.aggregation, fieldName: m.fieldName, recurring: m.recurring });
  for (const p of plans) {
    state.plans.set(p.code.slice(prefix.length), {
      id: p.id, interval: p.interval, payInAdvance: p.payInAdvance,
      spec: { name: p.name, description: p.description, invoiceDisplayName: p.invoiceDisplayName, interval: p.interval, amountCents: p.amountCents, currency: p.currency, payInAdvance: p.payInAdvance, trialPeriodDays: p.trialPeriodDays === null ? null : decimal(p.trialPeriodDays.toString()).toString() },
      charges: json(p.charges.map((c) => ({ code: c.code, billableMetricId: c.billableMetricId, chargeModel: c.chargeModel, properties: c.properties, payInAdvance: c.payInAdvance, prorated: c.prorated, minAmountCents: c.minAmountCents, invoiceDisplayName: c.invoiceDisplayName, position: c.position }))),
    });
  }
  for (const link of links) {
    const c = link.customer;
    if (c.deletedAt) continue;
    state.customers.set(link.externalId, {
      id: c.id, timezone: c.timezone, lago: json((c.metadata as { lago?: unknown } | null)?.lago ?? null),
      spec: { legalName: c.legalName, displayName: c.displayName, email: c.email, phone: c.phone, addressLine1: c.addressLine1, addressLine2: c.addressLine2, city: c.city, province: c.province, postalCode: c.postalCode, country: c.country, currency: c.currency, timezone: c.timezone, taxIdentificationNumber: c.taxIdentificationNumber, netPaymentTermDays: c.netPaymentTermDays },
    });
  }
  for (const s of subscriptions) {
    state.subscriptions.set(s.sourceId!, {
      id: s.id, timezone: s.customer.timezone, startedAt: s.startedAt ?? s.subscriptionAt, terminatedAt: s.terminatedAt,
      spec: { externalId: s.externalId, name: s.name, customerId: s.customerId, planId: s.planId ?? "", status: s.status as "active" | "terminated", billingTime: s.billingTime, startedAt: s.startedAt ?? s.subscriptionAt, terminatedAt: s.terminatedAt, endingAt: s.endingAt },
    });
  }
  for (const r of rollups) state.rollups.set(r.idempotencyKey, { id: r.id, subscriptionId: r.subscriptionId, billableMetricId: r.billableMetricId, periodStart: r.periodStart, periodEnd: r.periodEnd, value: decimal(r.value.toString()).toString() });
  return state;
}

function decide(state: State, entity: LagoEntity, item: unknown): Decision {
  const warnings: string[] = [];
  try {
    switch (entity) {
      case "metric": return decideMetric(state, item as LagoBillableMetric, warnings);
      case "plan": return decidePlan(state, item as LagoPlan, warnings);
      case "customer": return decideCustomer(state, item as LagoCustomer, warnings);
      case "subscription": return decideSubscription(state, item as LagoSubscription, warnings);
      case "usage": return decideUsage(state, item as LagoFee, warnings);
    }
  } catch (error) {
    if (error instanceof RowRefused) return { outcome: "failed", message: error.message, warnings };
    if (error instanceof RowSkipped) return { outcome: "skipped", message: error.message, warnings };
    return { outcome: "failed", message: `Unexpected error: ${(error as Error).message}`, warnings };
  }
}

function decideMetric(state: State, metric: LagoBillableMetric, warnings: string[]): Decision {
  const aggregation = AGGREGATIONS[metric.aggregation_type];
  if (!aggregation) throw new RowRefused(`Aggregation ${JSON.stringify(metric.aggregation_type)} has no equivalent here (custom aggregations are not imported).`);
  const fieldName = aggregation === "count" ? null : blank(metric.field_name);
  if (aggregation !== "count" && !fieldName) throw new RowRefused(`A ${metric.aggregation_type} metric needs a field name.`);
  const existing = state.metrics.get(metric.code);
  if (existing) {
    if (existing.aggregation !== aggregation || existing.fieldName !== fieldName || existing.recurring !== Boolean(metric.recurring)) {
      throw new RowRefused(`Metric ${metric.code} already exists here with another aggregation (${existing.aggregation} of ${existing.fieldName ?? "events"}${existing.recurring ? ", recurring" : ""}).`);
    }
    return { outcome: "unchanged", warnings };
  }
  const id = randomUUID();
  if (metric.rounding_function && !["round", "ceil", "floor"].includes(metric.rounding_function)) warnings.push(`Unknown rounding ${metric.rounding_function}: imported without rounding.`);
  const roundingFunction = metric.rounding_function && ["round", "ceil", "floor"].includes(metric.rounding_function) ? metric.rounding_function : null;
  return {
    outcome: "created", warnings,
    commit: () => state.metrics.set(metric.code, { id, aggregation, fieldName, recurring: Boolean(metric.recurring) }),
    write: async (tx) => void (await tx.billableMetric.create({
      data: { id, serviceId: state.service.id, code: metric.code, name: metric.name, description: blank(metric.description), aggregation, fieldName, recurring: Boolean(metric.recurring), roundingFunction, roundingPrecision: roundingFunction ? (metric.rounding_precision ?? 0) : null },
    })),
  };
}

function decidePlan(state: State, plan: LagoPlan, warnings: string[]): Decision {
  if (!INTERVALS.includes(plan.interval)) throw new RowRefused(`Interval ${JSON.stringify(plan.interval)} is not supported.`);
  if (!Number.isInteger(plan.amount_cents) || plan.amount_cents < 0) throw new RowRefused(`Subscription fee ${plan.amount_cents} is not a whole, non-negative number of cents.`);
  const spec: PlanSpec = {
    name: plan.name, description: blank(plan.description), invoiceDisplayName: blank(plan.invoice_display_name), interval: plan.interval as PlanInterval,
    amountCents: BigInt(plan.amount_cents), currency: (plan.amount_currency || "CAD").toUpperCase(), payInAdvance: Boolean(plan.pay_in_advance),
    // Shadow (dual-run) subscriptions carry no trial (lib/invoicing/billing-run.ts): imported without, and said so.
    trialPeriodDays: null,
  };
  if (plan.trial_period && plan.trial_period > 0) warnings.push(`Lago gives a ${plan.trial_period}-day trial on this plan; shadow subscriptions are billed without trials, so it is imported without one.`);
  const charges: ChargeSpec[] = (plan.charges ?? []).map((charge, position) => {
    const metric = state.metrics.get(charge.billable_metric_code);
    if (!metric) throw new RowRefused(`Charge ${charge.code ?? charge.lago_id} prices metric ${charge.billable_metric_code}, which was not imported.`);
    if (!(CHARGE_MODELS as readonly string[]).includes(charge.charge_model)) throw new RowRefused(`Charge model ${JSON.stringify(charge.charge_model)} of charge ${charge.code ?? charge.lago_id} is not supported.`);
    const model = charge.charge_model as ChargeModel;
    const validation = validateChargeProperties(model, charge.properties);
    if (!validation.valid) throw new RowRefused(`Charge ${charge.code ?? charge.lago_id}: invalid ${model} properties (${Object.entries(validation.errors).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ")}).`);
    return {
      code: charge.code || charge.billable_metric_code, billableMetricId: metric.id, chargeModel: model, properties: validation.properties as unknown as Prisma.InputJsonValue,
      payInAdvance: Boolean(charge.pay_in_advance), prorated: Boolean(charge.prorated), minAmountCents: charge.min_amount_cents ? BigInt(charge.min_amount_cents) : null,
      invoiceDisplayName: blank(charge.invoice_display_name), position,
    };
  });
  if (plan.bill_charges_monthly) warnings.push("Lago bills this plan's charges monthly: imported with its interval's charges (check the shadow invoices).");
  const chargesJson = json(charges);
  const writeCharges = async (tx: Prisma.TransactionClient, planId: string, replace: boolean) => {
    if (replace) await tx.charge.updateMany({ where: { planId, deletedAt: null }, data: { deletedAt: new Date() } });
    for (const c of charges) await tx.charge.create({ data: { ...c, planId } });
  };
  const existing = state.plans.get(plan.code);
  if (existing) {
    const sameSpec = json(existing.spec) === json(spec);
    const sameCharges = existing.charges === chargesJson;
    if (sameSpec && sameCharges) return { outcome: "unchanged", warnings };
    return {
      outcome: "updated", warnings,
      commit: () => state.plans.set(plan.code, { ...existing, spec, charges: chargesJson, interval: spec.interval, payInAdvance: spec.payInAdvance }),
      write: async (tx) => {
        if (!sameSpec) await tx.plan.update({ where: { id: existing.id }, data: { ...spec, trialPeriodDays: spec.trialPeriodDays === null ? null : new Prisma.Decimal(spec.trialPeriodDays) } });
        if (!sameCharges) await writeCharges(tx, existing.id, true);
      },
    };
  }
  const id = randomUUID();
  const code = lagoPlanCode(state.service.code, plan.code);
  return {
    outcome: "created", warnings,
    commit: () => state.plans.set(plan.code, { id, spec, charges: chargesJson, interval: spec.interval, payInAdvance: spec.payInAdvance }),
    write: async (tx) => {
      if (await tx.plan.findFirst({ where: { code, deletedAt: null, parentId: null } })) throw new RowRefused(`Plan code ${code} is already used by another plan.`);
      await tx.plan.create({ data: { id, serviceId: state.service.id, code, ...spec, trialPeriodDays: spec.trialPeriodDays === null ? null : new Prisma.Decimal(spec.trialPeriodDays) } });
      await writeCharges(tx, id, false);
    },
  };
}

function decideCustomer(state: State, customer: LagoCustomer, warnings: string[]): Decision {
  const person = [blank(customer.firstname), blank(customer.lastname)].filter(Boolean).join(" ") || null;
  const legalName = blank(customer.legal_name) ?? blank(customer.name) ?? person;
  if (!legalName) throw new RowRefused("The customer has no name, legal name or first and last name.");
  const email = blank(customer.email)?.split(",")[0].trim() ?? null; // Lago allows a comma-separated list; invoices go to the first
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) warnings.push(`E-mail ${JSON.stringify(email)} does not look valid; imported as is.`);
  const country = (blank(customer.country) ?? "CA").toUpperCase().slice(0, 2);
  let province = blank(customer.state)?.toUpperCase() ?? null;
  if (country === "CA" && province && !PROVINCE_CODES.has(province)) {
    const mapped = PROVINCES[province];
    if (mapped) province = mapped;
    else {
      warnings.push(`State ${JSON.stringify(customer.state)} is not a Canadian province: imported without a province.`);
      province = null;
    }
  }
  if (country === "CA" && !province) warnings.push("No province: Canadian tax cannot be computed, so its shadow invoices are computed without tax, with a note saying why, until one is set.");
  const timezone = blank(customer.timezone) ?? blank(customer.applicable_timezone) ?? "UTC";
  const spec: CustomerSpec = {
    legalName, displayName: blank(customer.name) && blank(customer.name) !== legalName ? blank(customer.name) : null, email, phone: blank(customer.phone),
    addressLine1: blank(customer.address_line1), addressLine2: blank(customer.address_line2), city: blank(customer.city), province, postalCode: blank(customer.zipcode), country,
    currency: (blank(customer.currency) ?? "CAD").toUpperCase(), timezone, taxIdentificationNumber: blank(customer.tax_identification_number),
    netPaymentTermDays: typeof customer.net_payment_term === "number" ? customer.net_payment_term : null,
  };
  const lago = { lagoId: customer.lago_id, externalId: customer.external_id, stripeCustomerId: lagoStripeCustomerId(customer), createdAt: customer.created_at };
  const existing = state.customers.get(customer.external_id);
  if (existing) {
    // The timezone stays as first imported: periods already computed in it must not move.
    const wanted = { ...spec, timezone: existing.spec.timezone };
    if (json(existing.spec) === json(wanted) && existing.lago === json(lago)) return { outcome: "unchanged", warnings };
    return {
      outcome: "updated", warnings,
      commit: () => state.customers.set(customer.external_id, { ...existing, spec: wanted, lago: json(lago) }),
      write: async (tx) => {
        const current = await tx.customer.findUniqueOrThrow({ where: { id: existing.id }, select: { metadata: true } });
        await tx.customer.update({ where: { id: existing.id }, data: { ...wanted, metadata: { ...((current.metadata as Record<string, unknown>) ?? {}), lago } } });
      },
    };
  }
  const id = randomUUID();
  return {
    outcome: "created", warnings,
    commit: () => state.customers.set(customer.external_id, { id, spec, lago: json(lago), timezone }),
    write: async (tx) => {
      await tx.customer.create({ data: { id, ...spec, metadata: { lago } } });
      await tx.accountLink.create({ data: { serviceId: state.service.id, externalId: customer.external_id, customerId: id } });
    },
  };
}

function decideSubscription(state: State, sub: LagoSubscription, warnings: string[]): Decision {
  if (sub.status === "pending" || sub.status === "canceled") throw new RowSkipped(`Lago subscription is ${sub.status}: it never started, so nothing was billed.`);
  if (sub.status !== "active" && sub.status !== "terminated") throw new RowRefused(`Unknown status ${JSON.stringify(sub.status)}.`);
  const customer = state.customers.get(sub.external_customer_id);
  if (!customer) throw new RowSkipped(`Customer ${sub.external_customer_id} was not imported.`);
  const plan = state.plans.get(sub.plan_code);
  if (!plan) throw new RowRefused(`Plan ${sub.plan_code} was not imported.`);
  const started = sub.started_at ?? sub.subscription_at;
  if (!started) throw new RowRefused("No start date.");
  const startedAt = new Date(started);
  const terminatedAt = sub.status === "terminated" ? (sub.terminated_at ? new Date(sub.terminated_at) : null) : null;
  if (sub.status === "terminated" && !terminatedAt) throw new RowRefused("Terminated without a termination date.");
  if (terminatedAt && terminatedAt < startedAt) throw new RowRefused("Terminated before it started.");
  const endingAt = sub.ending_at ? new Date(sub.ending_at) : null;
  const spec: SubscriptionSpec = {
    externalId: sub.external_id, name: blank(sub.name), customerId: customer.id, planId: plan.id, status: sub.status, billingTime: sub.billing_time === "anniversary" ? "anniversary" : "calendar",
    startedAt, terminatedAt, endingAt,
  };
  const nextBillingAt = () => {
    if (spec.status !== "active") return null;
    const schedule = scheduleOf({ billingTime: spec.billingTime, billingAnchorDate: startedAt }, { interval: plan.interval }, customer.spec.timezone);
    // Shadow billing starts with the period in progress: Lago has invoiced the earlier ones.
    return periodContaining(startedAt > state.now ? startedAt : state.now, schedule).end;
  };
  const existing = state.subscriptions.get(sub.lago_id);
  if (existing) {
    const s = existing.spec;
    const same = s.externalId === spec.externalId && s.name === spec.name && s.customerId === spec.customerId && s.planId === spec.planId && s.status === spec.status &&
      s.billingTime === spec.billingTime && sameDate(s.startedAt, startedAt) && sameDate(s.terminatedAt, terminatedAt) && sameDate(s.endingAt, endingAt);
    if (same) return { outcome: "unchanged", warnings };
    return {
      outcome: "updated", warnings,
      commit: () => state.subscriptions.set(sub.lago_id, { ...existing, spec, startedAt, terminatedAt }),
      write: async (tx) => void (await tx.subscription.update({
        where: { id: existing.id },
        data: {
          externalId: spec.externalId, name: spec.name, customerId: spec.customerId, planId: spec.planId, status: spec.status, billingTime: spec.billingTime, startedAt, subscriptionAt: startedAt,
          billingAnchorDate: startedAt, terminatedAt, endingAt, canceledAt: null, shadow: true, ...(s.status !== spec.status ? { nextBillingAt: nextBillingAt() } : {}),
        },
      })),
    };
  }
  const id = randomUUID();
  return {
    outcome: "created", warnings,
    commit: () => state.subscriptions.set(sub.lago_id, { id, spec, timezone: customer.spec.timezone, startedAt, terminatedAt }),
    write: async (tx) => void (await tx.subscription.create({
      data: {
        id, externalId: spec.externalId, sourceId: sub.lago_id, name: spec.name, customerId: customer.id, serviceId: state.service.id, planId: plan.id, status: spec.status,
        billingTime: spec.billingTime, billingAnchorDate: startedAt, subscriptionAt: startedAt, startedAt, terminatedAt, endingAt, shadow: true, nextBillingAt: nextBillingAt(),
      },
    })),
  };
}

/** A charge fee of a Lago invoice: the units it billed for its window become a usage rollup of the shadow subscription. */
function decideUsage(state: State, fee: LagoFee, warnings: string[]): Decision {
  if (!fee.lago_subscription_id) throw new RowSkipped("The fee belongs to no subscription.");
  const sub = state.subscriptions.get(fee.lago_subscription_id);
  if (!sub) throw new RowSkipped(`Subscription ${fee.lago_subscription_id} was not imported.`);
  const metricCode = (fee.lago_charge_id ? state.chargeMetric.get(fee.lago_charge_id) : undefined) ?? fee.item.code;
  const metric = state.metrics.get(metricCode);
  if (!metric) throw new RowRefused(`Metric ${metricCode} was not imported.`);
  if (!fee.from_datetime || !fee.to_datetime) throw new RowRefused("The fee has no service period.");
  let units;
  try {
    units = decimal(fee.units);
  } catch {
    throw new RowRefused(`Units ${JSON.stringify(fee.units)} are not a number.`);
  }
  if (units.isNegative()) throw new RowRefused(`Units ${fee.units} are negative.`);
  // Usage counts in the billing window that contains it: clamp Lago's window to the subscription's life (Lago's
  // to_datetime of a termination is the termination instant, inclusive).
  const from = new Date(fee.from_datetime);
  const to = lagoWindowEnd(fee.to_datetime);
  const periodStart = from < sub.startedAt ? sub.startedAt : from;
  const periodEnd = sub.terminatedAt && sub.terminatedAt < to ? sub.terminatedAt : to;
  if (!(periodEnd > periodStart)) throw new RowRefused(`The fee's window ${fee.from_datetime} – ${fee.to_datetime} is empty.`);
  const value = units.toString();
  const key = lagoUsageKey(fee.lago_id);
  const existing = state.rollups.get(key);
  if (existing) {
    if (existing.subscriptionId === sub.id && existing.billableMetricId === metric.id && sameDate(existing.periodStart, periodStart) && sameDate(existing.periodEnd, periodEnd) && existing.value === value) {
      return { outcome: "unchanged", warnings };
    }
    return {
      outcome: "updated", warnings,
      commit: () => state.rollups.set(key, { ...existing, subscriptionId: sub.id, billableMetricId: metric.id, periodStart, periodEnd, value }),
      write: async (tx) => void (await tx.usageRollup.update({ where: { id: existing.id }, data: { subscriptionId: sub.id, billableMetricId: metric.id, periodStart, periodEnd, value: new Prisma.Decimal(value) } })),
    };
  }
  const id = randomUUID();
  return {
    outcome: "created", warnings,
    commit: () => state.rollups.set(key, { id, subscriptionId: sub.id, billableMetricId: metric.id, periodStart, periodEnd, value }),
    write: async (tx) => void (await tx.usageRollup.create({
      data: { id, serviceId: state.service.id, subscriptionId: sub.id, billableMetricId: metric.id, periodStart, periodEnd, value: new Prisma.Decimal(value), idempotencyKey: key },
    })),
  };
}
