import { chargeFilterErrors, storedChargeFilters } from "@/lib/rating/charge-filters";
import type { Db } from "@/lib/db/prisma";
import { entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import type { AggregationType, BillableMetric, Prisma } from "@/lib/generated/prisma/client";
import { assertCatalogWritable, assertMetricNotUsedByOtherServices } from "./ownership";

export interface MetricInput {
  code: string;
  name: string;
  description?: string | null;
  aggregation: AggregationType;
  fieldName?: string | null;
  recurring?: boolean;
  roundingFunction?: "round" | "ceil" | "floor" | null;
  roundingPrecision?: number | null;
  filters?: { key: string; values: string[] }[];
}

const RECURRING_FORBIDDEN = new Set<AggregationType>(["count", "max", "last"]);

function checkMetricRules(input: Pick<MetricInput, "aggregation" | "fieldName" | "recurring">) {
  if (input.aggregation !== "count" && !input.fieldName) throw invalidField("field_name", "value_is_mandatory");
  if (input.recurring && RECURRING_FORBIDDEN.has(input.aggregation)) throw invalidField("recurring", "not_compatible_with_aggregation_type");
}

export async function findMetricByCode(client: Db | Prisma.TransactionClient, code: string): Promise<BillableMetric | null> {
  return client.billableMetric.findFirst({ where: { code, deletedAt: null } });
}

export async function getMetricByCode(client: Db | Prisma.TransactionClient, code: string): Promise<BillableMetric> {
  const metric = await findMetricByCode(client, code);
  if (!metric) throw entityNotFound("billable_metric");
  return metric;
}

export async function createMetric(client: Db, serviceId: string | null, input: MetricInput): Promise<BillableMetric> {
  checkMetricRules(input);
  try {
    return await client.billableMetric.create({
      data: {
        serviceId,
        code: input.code,
        name: input.name,
        description: input.description ?? null,
        aggregation: input.aggregation,
        fieldName: input.aggregation === "count" ? null : input.fieldName,
        recurring: input.recurring ?? false,
        roundingFunction: input.roundingFunction ?? null,
        roundingPrecision: input.roundingPrecision ?? null,
        filters: input.filters ?? [],
      },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

/**
 * Updates a metric. Once a plan prices it, only name, description and filters change — other fields are ignored, as
 * in Lago, because changing how usage is measured would silently re-price existing subscriptions.
 */
export async function updateMetric(client: Db, serviceId: string | null, code: string, input: Partial<MetricInput>): Promise<BillableMetric> {
  return client.$transaction(async (tx) => {
    const metric = await getMetricByCode(tx, code);
    assertCatalogWritable(metric, serviceId, "billable_metric");
    const inUse = (await tx.charge.count({ where: { billableMetricId: metric.id, deletedAt: null } })) > 0;
    const data: Prisma.BillableMetricUpdateInput = {};
    if (input.name !== undefined) data.name = input.name;
    if (input.description !== undefined) data.description = input.description;
    if (input.filters !== undefined) {
      // A key or value that a charge filter still prices cannot disappear under it (the charge would silently bill
      // those events at its default price): the charge's filters change first.
      const charges = await tx.charge.findMany({ where: { billableMetricId: metric.id, deletedAt: null }, select: { filters: true } });
      const orphaned = charges.some((charge) => Object.keys(chargeFilterErrors(storedChargeFilters(charge), input.filters!, "filters")).length > 0);
      if (orphaned) throw invalidField("filters", "filters_in_use", "A charge filter still uses a key or value this update removes");
      data.filters = input.filters;
    }
    if (!inUse) {
      const next = {
        aggregation: input.aggregation ?? metric.aggregation,
        fieldName: input.fieldName !== undefined ? input.fieldName : metric.fieldName,
        recurring: input.recurring ?? metric.recurring,
      };
      checkMetricRules(next);
      Object.assign(data, {
        ...(input.code !== undefined ? { code: input.code } : {}),
        aggregation: next.aggregation,
        fieldName: next.aggregation === "count" ? null : next.fieldName,
        recurring: next.recurring,
        ...(input.roundingFunction !== undefined ? { roundingFunction: input.roundingFunction } : {}),
        ...(input.roundingPrecision !== undefined ? { roundingPrecision: input.roundingPrecision } : {}),
      });
    }
    try {
      return await tx.billableMetric.update({ where: { id: metric.id }, data });
    } catch (error) {
      if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
      throw error;
    }
  });
}

/** Soft-deletes a metric and the charges that price it (Lago does the same); history keeps pointing at them. */
export async function deleteMetric(client: Db, serviceId: string | null, code: string): Promise<BillableMetric> {
  return client.$transaction(async (tx) => {
    const metric = await getMetricByCode(tx, code);
    assertCatalogWritable(metric, serviceId, "billable_metric");
    await assertMetricNotUsedByOtherServices(tx, metric, serviceId);
    const now = new Date();
    await tx.charge.updateMany({ where: { billableMetricId: metric.id, deletedAt: null }, data: { deletedAt: now } });
    return tx.billableMetric.update({ where: { id: metric.id }, data: { deletedAt: now } });
  });
}

export async function listMetrics(client: Db, query: { skip: number; take: number }) {
  const where = { deletedAt: null };
  const [total, items] = await Promise.all([
    client.billableMetric.count({ where }),
    client.billableMetric.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: query.skip, take: query.take }),
  ]);
  return { total, items };
}

export async function countPlansUsingMetric(client: Db, metricId: string): Promise<number> {
  const plans = await client.charge.findMany({
    where: { billableMetricId: metricId, deletedAt: null, planId: { not: null } },
    distinct: ["planId"],
    select: { planId: true },
  });
  return plans.length;
}
