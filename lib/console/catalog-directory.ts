import type { Db } from "@/lib/db/prisma";
import type { AggregationType, Prisma } from "@/lib/generated/prisma/client";
import { pageWindow, type TableQuery } from "./table-query";

/** The console's catalog lists (metrics, plans): one page of rows, sorted and filtered in the database. */

function codeOrNameFilter(text: string) {
  return text ? { OR: [{ name: { contains: text, mode: "insensitive" as const } }, { code: { contains: text, mode: "insensitive" as const } }] } : {};
}

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
  const where: Prisma.BillableMetricWhereInput = { deletedAt: null, ...codeOrNameFilter(query.filter) };
  const total = await client.billableMetric.count({ where });
  const window = pageWindow(query, total);
  const metrics = await client.billableMetric.findMany({
    where,
    orderBy: [{ [query.sort]: query.desc ? "desc" : "asc" }, { id: "asc" }],
    skip: window.skip,
    take: window.take,
    include: { _count: { select: { charges: { where: { deletedAt: null, planId: { not: null } } } } } },
  });
  const rows: MetricRow[] = metrics.map((m) => ({
    id: m.id,
    code: m.code,
    name: m.name,
    aggregation: m.aggregation,
    fieldName: m.fieldName,
    recurring: m.recurring,
    charges: m._count.charges,
    createdAt: m.createdAt.toISOString(),
  }));
  return { rows, total, page: window.page, pageCount: window.pageCount };
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
  const where: Prisma.PlanWhereInput = { deletedAt: null, ...codeOrNameFilter(query.filter) };
  const total = await client.plan.count({ where });
  const window = pageWindow(query, total);
  const plans = await client.plan.findMany({
    where,
    orderBy: [{ [query.sort]: query.desc ? "desc" : "asc" }, { id: "asc" }],
    skip: window.skip,
    take: window.take,
    include: { charges: { where: { deletedAt: null }, orderBy: [{ position: "asc" }, { createdAt: "asc" }], select: { code: true, chargeModel: true } } },
  });
  const rows: PlanRow[] = plans.map((p) => ({
    id: p.id,
    code: p.code,
    name: p.name,
    interval: p.interval,
    amountCents: p.amountCents.toString(),
    currency: p.currency,
    charges: p.charges.map((c) => `${c.code} (${c.chargeModel})`),
    createdAt: p.createdAt.toISOString(),
  }));
  return { rows, total, page: window.page, pageCount: window.pageCount };
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
