import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import { Prisma, type ChargeModel, type PlanInterval } from "@/lib/generated/prisma/client";
import { validateChargeProperties, type ChargePropertiesByModel } from "@/lib/billing/charge-models";
import { terminateMany } from "@/lib/subscriptions/billing-schedule";
import { chargeFilterErrors, storedMetricFilters, type ChargeFilter } from "@/lib/rating/charge-filters";
import { assertCatalogWritable, assertPlanNotUsedByOtherServices } from "./ownership";

export interface ChargeInput {
  /** Existing charge id when updating a plan; absent for a new charge. */
  id?: string;
  billableMetricId?: string;
  billableMetricCode?: string;
  code?: string;
  chargeModel: ChargeModel;
  properties?: Record<string, unknown>;
  includedQuantity?: string;
  minAmountCents?: bigint | null;
  invoiceDisplayName?: string | null;
  /** Lago's charge filters; the whole list is replaced when given (an update without it keeps the stored ones). */
  filters?: { invoiceDisplayName: string | null; properties: Record<string, unknown>; values: Record<string, string[]> }[];
  /** Billed on each event, on an instant invoice (lib/invoicing/advance-charges.ts), instead of at period end. */
  payInAdvance?: boolean;
}

/** Aggregations an event can be priced on by itself (Lago's rule for pay-in-advance charges). */
const IN_ADVANCE_AGGREGATIONS = new Set(["count", "sum", "unique_count"]);

export interface PlanInput {
  code: string;
  name: string;
  description?: string | null;
  invoiceDisplayName?: string | null;
  interval: PlanInterval;
  amountCents: bigint;
  currency?: string;
  payInAdvance?: boolean;
  trialPeriodDays?: string | null;
  billChargesMonthly?: boolean | null;
  charges?: ChargeInput[];
  /** Progressive billing: the full list (an update replaces the plan's thresholds). */
  usageThresholds?: UsageThresholdInput[];
}

export interface UsageThresholdInput {
  amountCents: bigint;
  thresholdDisplayName: string | null;
  recurring: boolean;
}

export const planInclude = {
  charges: { where: { deletedAt: null }, include: { billableMetric: true }, orderBy: [{ position: "asc" }, { createdAt: "asc" }] },
  usageThresholds: { orderBy: [{ recurring: "asc" }, { amountCents: "asc" }] },
} satisfies Prisma.PlanInclude;
export type PlanWithCharges = Prisma.PlanGetPayload<{ include: typeof planInclude }>;

export async function findPlanByCode(client: Db | Prisma.TransactionClient, code: string): Promise<PlanWithCharges | null> {
  // A code names a parent plan; a subscription's overridden copy (plan-overrides.ts) keeps the code but is not found by it.
  return client.plan.findFirst({ where: { code, deletedAt: null, parentId: null }, include: planInclude });
}

export async function getPlanByCode(client: Db | Prisma.TransactionClient, code: string): Promise<PlanWithCharges> {
  const plan = await findPlanByCode(client, code);
  if (!plan) throw entityNotFound("plan");
  return plan;
}

/** Any model's properties, each key optional: what a stored charge's JSON holds for its own model. */
export type StoredChargeProperties = Partial<
  ChargePropertiesByModel["standard"] & ChargePropertiesByModel["graduated"] & ChargePropertiesByModel["volume"] & ChargePropertiesByModel["package"] & ChargePropertiesByModel["percentage"]
>;

/** A stored charge's properties; they were validated for its model when the charge was saved. */
export function storedChargeProperties(charge: { properties: Prisma.JsonValue }): StoredChargeProperties {
  const value = charge.properties;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as StoredChargeProperties) : {};
}

/**
 * A charge's filters checked against its metric's declared filters and its model (each filter's properties are the
 * model's); returned as stored (Lago's shape). A charge with filters has no included quantity nor minimum spend: which
 * bucket they would apply to is not defined, so they are refused rather than guessed.
 */
export function checkChargeFilters(
  charge: Pick<ChargeInput, "chargeModel" | "filters" | "minAmountCents" | "includedQuantity">,
  metric: { filters: Prisma.JsonValue },
  path: string,
): ChargeFilter[] | undefined {
  if (charge.filters === undefined) return undefined;
  if (charge.filters.length === 0) return [];
  const details: Record<string, string[]> = chargeFilterErrors(charge.filters, storedMetricFilters(metric), `${path}.filters`);
  if (charge.minAmountCents) (details[`${path}.min_amount_cents`] ??= []).push("not_compatible_with_filters");
  if (charge.includedQuantity && new Prisma.Decimal(charge.includedQuantity).gt(0)) (details[`${path}.included_quantity`] ??= []).push("not_compatible_with_filters");
  const stored = charge.filters.map((filter, filterIndex): ChargeFilter => {
    const checked = validateChargeProperties(charge.chargeModel, filter.properties);
    if (!checked.valid) {
      for (const [field, codes] of Object.entries(checked.errors)) details[`${path}.filters.${filterIndex}.properties.${field}`] = codes;
    }
    return { invoice_display_name: filter.invoiceDisplayName, properties: (checked.valid ? checked.properties : {}) as Record<string, unknown>, values: filter.values };
  });
  if (Object.keys(details).length) throw new DomainError("invalid", "validation_errors", details, "Invalid charge filters");
  return stored;
}

/** Resolves each charge's metric (by Lago id or code) and checks its model properties; returns rows ready to write. */
async function resolveCharges(tx: Prisma.TransactionClient, charges: ChargeInput[], existing: { id: string; payInAdvance: boolean }[] = []) {
  const ids = charges.map((c) => c.billableMetricId).filter((v): v is string => Boolean(v));
  const codes = charges.map((c) => c.billableMetricCode).filter((v): v is string => Boolean(v));
  const metrics = await tx.billableMetric.findMany({ where: { deletedAt: null, OR: [{ id: { in: ids } }, { code: { in: codes } }] } });
  const seenCodes = new Set<string>();
  return charges.map((charge, index) => {
    const metric = metrics.find((m) => (charge.billableMetricId ? m.id === charge.billableMetricId : m.code === charge.billableMetricCode));
    if (!metric) throw new DomainError("not_found", "billable_metrics_not_found", { [`charges.${index}.billable_metric_id`]: ["billable_metric_not_found"] });
    if (charge.chargeModel === "percentage" && metric.aggregation === "last") {
      throw invalidField(`charges.${index}.charge_model`, "not_compatible_with_aggregation_type");
    }
    const inAdvance = charge.payInAdvance ?? existing.find((c) => c.id === charge.id)?.payInAdvance ?? false;
    if (inAdvance) {
      if (!IN_ADVANCE_AGGREGATIONS.has(metric.aggregation) || charge.chargeModel === "volume") {
        throw invalidField(`charges.${index}.pay_in_advance`, "invalid_aggregation_type_or_charge_model", "A pay-in-advance charge needs a count, sum or unique_count metric and a model other than volume");
      }
      // A recurring metric's level carries over periods: an event alone does not say what it adds to the bill.
      if (metric.recurring) throw invalidField(`charges.${index}.pay_in_advance`, "not_supported", "Recurring metrics are billed in arrears");
      if (charge.minAmountCents && charge.minAmountCents > BigInt(0)) throw invalidField(`charges.${index}.min_amount_cents`, "not_compatible_with_pay_in_advance");
    }
    const checked = validateChargeProperties(charge.chargeModel, charge.properties ?? null);
    if (!checked.valid) {
      const details = Object.fromEntries(Object.entries(checked.errors).map(([field, codes]) => [`charges.${index}.properties.${field}`, codes]));
      throw new DomainError("invalid", "validation_errors", details, "Invalid charge properties");
    }
    const filters = checkChargeFilters(charge, metric, `charges.${index}`);
    const code = charge.code ?? metric.code;
    if (seenCodes.has(code)) throw invalidField(`charges.${index}.code`, "value_already_exist", "Two charges of the plan have the same code");
    seenCodes.add(code);
    return {
      id: charge.id,
      billableMetricId: metric.id,
      code,
      chargeModel: charge.chargeModel,
      properties: checked.properties as unknown as Prisma.InputJsonValue,
      includedQuantity: new Prisma.Decimal(charge.includedQuantity ?? "0"),
      minAmountCents: charge.minAmountCents ?? null,
      invoiceDisplayName: charge.invoiceDisplayName ?? null,
      ...(filters !== undefined ? { filters: filters as unknown as Prisma.InputJsonValue } : {}),
      // Unsaid on an update keeps what the charge has (a new charge defaults to in arrears).
      ...(charge.payInAdvance !== undefined ? { payInAdvance: charge.payInAdvance } : {}),
      position: index,
    };
  });
}

export async function createPlan(client: Db, serviceId: string | null, input: PlanInput): Promise<PlanWithCharges> {
  try {
    return await client.$transaction(async (tx) => {
      const charges = await resolveCharges(tx, input.charges ?? []);
      const plan = await tx.plan.create({
        data: {
          serviceId,
          code: input.code,
          name: input.name,
          description: input.description ?? null,
          invoiceDisplayName: input.invoiceDisplayName ?? null,
          interval: input.interval,
          amountCents: input.amountCents,
          currency: input.currency ?? "CAD",
          payInAdvance: input.payInAdvance ?? false,
          trialPeriodDays: input.trialPeriodDays ? new Prisma.Decimal(input.trialPeriodDays) : null,
          billChargesMonthly: input.interval === "yearly" || input.interval === "semiannual" ? (input.billChargesMonthly ?? false) : null,
          charges: { create: charges.map((c) => ({ ...c, id: undefined })) },
          usageThresholds: { create: input.usageThresholds ?? [] },
        },
      });
      return tx.plan.findUniqueOrThrow({ where: { id: plan.id }, include: planInclude });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

/**
 * Updates a plan. `charges`, when given, is the full desired list: items with an id are updated, items without are
 * created, existing charges missing from the list are removed (soft-deleted: invoice lines keep pointing at them).
 * Once the plan has subscriptions, its code, interval, currency, timing and trial no longer change (ignored, as Lago).
 */
export async function updatePlan(client: Db, serviceId: string | null, code: string, input: Partial<PlanInput>): Promise<PlanWithCharges> {
  try {
    return await client.$transaction(async (tx) => {
      const plan = await getPlanByCode(tx, code);
      assertCatalogWritable(plan, serviceId, "plan");
      await assertPlanNotUsedByOtherServices(tx, plan, serviceId);
      const subscribed = (await tx.subscription.count({ where: { planId: plan.id } })) > 0;
      const data: Prisma.PlanUpdateInput = {};
      if (input.name !== undefined) data.name = input.name;
      if (input.description !== undefined) data.description = input.description;
      if (input.invoiceDisplayName !== undefined) data.invoiceDisplayName = input.invoiceDisplayName;
      if (input.amountCents !== undefined) data.amountCents = input.amountCents;
      if (!subscribed) {
        if (input.code !== undefined) data.code = input.code;
        if (input.interval !== undefined) data.interval = input.interval;
        if (input.currency !== undefined) data.currency = input.currency;
        if (input.payInAdvance !== undefined) data.payInAdvance = input.payInAdvance;
        if (input.trialPeriodDays !== undefined) data.trialPeriodDays = input.trialPeriodDays ? new Prisma.Decimal(input.trialPeriodDays) : null;
        // Once subscribed, the charge periods stay as they are: switching would leave the months already past unbilled.
        const interval = input.interval ?? plan.interval;
        if (input.billChargesMonthly !== undefined || input.interval !== undefined) {
          data.billChargesMonthly = interval === "yearly" || interval === "semiannual" ? (input.billChargesMonthly ?? plan.billChargesMonthly ?? false) : null;
        }
      }
      await tx.plan.update({ where: { id: plan.id }, data });

      if (input.charges) {
        const wanted = await resolveCharges(tx, input.charges, plan.charges);
        const existingIds = new Set(plan.charges.map((c) => c.id));
        for (const [index, charge] of wanted.entries()) {
          if (charge.id && !existingIds.has(charge.id)) throw invalidField(`charges.${index}.id`, "charge_not_found");
          // Switching a subscribed charge between in advance and in arrears would bill its past events twice or never.
          const before = plan.charges.find((c) => c.id === charge.id);
          if (subscribed && before && charge.payInAdvance !== undefined && charge.payInAdvance !== before.payInAdvance) {
            throw invalidField(`charges.${index}.pay_in_advance`, "cannot_change_once_subscribed", "Add a new charge instead: this one has billed events of subscriptions");
          }
        }
        const keep = new Set(wanted.map((c) => c.id).filter(Boolean));
        await tx.charge.updateMany({ where: { planId: plan.id, deletedAt: null, id: { notIn: [...keep] as string[] } }, data: { deletedAt: new Date() } });
        for (const { id, ...charge } of wanted) {
          if (id) await tx.charge.update({ where: { id }, data: charge });
          else await tx.charge.create({ data: { ...charge, planId: plan.id } });
        }
      }
      if (input.usageThresholds) {
        // Replaced as a whole; crossings already billed stay recorded by amount, so an unchanged threshold never
        // bills its period twice.
        await tx.usageThreshold.deleteMany({ where: { planId: plan.id } });
        await tx.usageThreshold.createMany({ data: input.usageThresholds.map((t) => ({ ...t, planId: plan.id })) });
      }
      return tx.plan.findUniqueOrThrow({ where: { id: plan.id }, include: planInclude });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

/**
 * Deletes a plan (soft: invoices keep their history). Its active subscriptions are terminated now and pending ones
 * cancelled, as Lago does; the billing run invoices what they used up to now.
 */
export async function deletePlan(client: Db, serviceId: string | null, code: string): Promise<PlanWithCharges> {
  return client.$transaction(async (tx) => {
    const plan = await getPlanByCode(tx, code);
    assertCatalogWritable(plan, serviceId, "plan");
    await assertPlanNotUsedByOtherServices(tx, plan, serviceId, { includeOverrides: true });
    const now = new Date();
    // The subscriptions on its overridden copies go with it, as in Lago.
    const children = (await tx.plan.findMany({ where: { parentId: plan.id, deletedAt: null }, select: { id: true } })).map((c) => c.id);
    await terminateMany(tx, { planId: { in: [plan.id, ...children] } }, now);
    await tx.subscription.updateMany({ where: { planId: { in: [plan.id, ...children] }, status: { in: ["pending", "draft"] } }, data: { status: "canceled", canceledAt: now } });
    await tx.plan.updateMany({ where: { id: { in: [plan.id, ...children] } }, data: { deletedAt: now } });
    await tx.auditLog.create({ data: { actorType: serviceId ? "service" : "staff", actorId: serviceId, action: "plan.deleted", entityType: "Plan", entityId: plan.id } });
    return { ...plan, deletedAt: now };
  });
}

export async function listPlans(client: Db, query: { skip: number; take: number }) {
  const where = { deletedAt: null, parentId: null };
  const [total, items] = await Promise.all([
    client.plan.count({ where }),
    client.plan.findMany({ where, include: planInclude, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: query.skip, take: query.take }),
  ]);
  return { total, items };
}

/** Yearly-equivalent base fee, Lago's yardstick for telling an upgrade from a downgrade. */
export function yearlyEquivalentCents(plan: { amountCents: bigint; interval: PlanInterval }): bigint {
  const perYear: Record<PlanInterval, bigint> = { weekly: BigInt(52), monthly: BigInt(12), quarterly: BigInt(4), semiannual: BigInt(2), yearly: BigInt(1) };
  return plan.amountCents * perYear[plan.interval];
}
