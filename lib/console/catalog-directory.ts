import type { Db } from "@/lib/db/prisma";
import type { AggregationType, Prisma } from "@/lib/generated/prisma/client";
import { fetchTablePage, orderBySort, textFilter, type TableQuery } from "./table-query";

/** The console's catalog lists (metrics, plans): one page of rows, sorted and filtered in the database. */

export const METRIC_SORTS = ["name", "code", "aggregation", "createdAt"] as const;
export type MetricSort = (typeof METRIC_SORTS)[number];

export interface MetricRow {
  id: string;
  code: string;
  name: string;
  aggregation: AggregationType;
  fieldName: string | null;
  recurring: boolean;
  charges: number;
  createdAt: string;
}

export async function listMetricRows(client: Db, query: TableQuery<MetricSort>) {
  const where: Prisma.BillableMetricWhereInput = { deletedAt: null, ...textFilter(query.filter, ["name", "code"]) };
  return fetchTablePage(query, () => client.billableMetric.count({ where }), async (window) => {
    const metrics = await client.billableMetric.findMany({
      where,
      orderBy: orderBySort(query),
      ...window,
      include: { _count: { select: { charges: { where: { deletedAt: null, planId: { not: null } } } } } },
    });
    return metrics.map((m): MetricRow => ({
      id: m.id,
      code: m.code,
      name: m.name,
      aggregation: m.aggregation,
      fieldName: m.fieldName,
      recurring: m.recurring,
      charges: m._count.charges,
      createdAt: m.createdAt.toISOString(),
    }));
  });
}

export const PLAN_SORTS = ["name", "code", "interval", "amountCents", "createdAt"] as const;
export type PlanSort = (typeof PLAN_SORTS)[number];

export interface PlanRow {
  id: string;
  code: string;
  name: string;
  interval: string;
  /** Integer cents as a string (bigint does not cross into the browser's props as a number). */
  amountCents: string;
  currency: string;
  charges: string[];
  createdAt: string;
}

export async function listPlanRows(client: Db, query: TableQuery<PlanSort>) {
  const where: Prisma.PlanWhereInput = { deletedAt: null, parentId: null, ...textFilter(query.filter, ["name", "code"]) };
  return fetchTablePage(query, () => client.plan.count({ where }), async (window) => {
    const plans = await client.plan.findMany({
      where,
      orderBy: orderBySort(query),
      ...window,
      include: { charges: { where: { deletedAt: null }, orderBy: [{ position: "asc" }, { createdAt: "asc" }], select: { code: true, chargeModel: true } } },
    });
    return plans.map((p): PlanRow => ({
      id: p.id,
      code: p.code,
      name: p.name,
      interval: p.interval,
      amountCents: p.amountCents.toString(),
      currency: p.currency,
      charges: p.charges.map((c) => `${c.code} (${c.chargeModel})`),
      createdAt: p.createdAt.toISOString(),
    }));
  });
}

export interface MetricOption {
  id: string;
  code: string;
  name: string;
}

/** Every live metric, for the plan form's choice of metric. */
export async function listMetricOptions(client: Db): Promise<MetricOption[]> {
  return client.billableMetric.findMany({ where: { deletedAt: null }, select: { id: true, code: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }] });
}
