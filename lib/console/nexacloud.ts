/** Console queries for the NexaCloud import runs and the reconciliation rows (server-side tables, summary, CSV). */
import type { Db } from "@/lib/db/prisma";
import type { Prisma, ReconciliationStatus } from "@/lib/generated/prisma/client";
import { toCsv } from "./csv";
import { fetchTablePage, type TableQuery } from "./table-query";
import { containsInsensitive } from "@/lib/db/text-match";

export const IMPORT_RUN_SORTS = ["startedAt", "status", "failedCount", "createdCount"] as const;
export type ImportRunSort = (typeof IMPORT_RUN_SORTS)[number];
const IMPORT_RUN_STATUSES = ["running", "succeeded", "failed"] as const;

export interface ImportRunRow {
  id: string;
  startedAt: string;
  finishedAt: string | null;
  dryRun: boolean;
  status: string;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  skippedCount: number;
  failedCount: number;
  processedRows: number;
  totalRows: number;
}

export function toImportRunRow(run: Prisma.ImportRunGetPayload<object>): ImportRunRow {
  return {
    id: run.id, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null, dryRun: run.dryRun, status: run.status,
    createdCount: run.createdCount, updatedCount: run.updatedCount, unchangedCount: run.unchangedCount, skippedCount: run.skippedCount,
    failedCount: run.failedCount, processedRows: run.processedRows, totalRows: run.totalRows,
  };
}

export async function listImportRuns(client: Db, kind: string, query: TableQuery<ImportRunSort>) {
  const status = IMPORT_RUN_STATUSES.find((s) => s === query.filter.toLowerCase());
  // An unknown status in the filter matches nothing rather than everything.
  const where: Prisma.ImportRunWhereInput = { kind, ...(query.filter ? { status: status ?? { in: [] } } : {}) };
  return fetchTablePage(query, () => client.importRun.count({ where }), async ({ skip, take }) =>
    (await client.importRun.findMany({ where, orderBy: [{ [query.sort]: query.desc ? "desc" : "asc" }, { id: "asc" }], skip, take })).map(toImportRunRow),
  );
}

export const RECONCILIATION_SORTS = ["period", "status", "deltaCents", "computedCents", "externalCents", "customer"] as const;
export type ReconciliationSort = (typeof RECONCILIATION_SORTS)[number];
export const RECONCILIATION_STATUSES = ["match", "delta", "error"] as const;

export interface ReconciliationFilters {
  serviceId: string;
  period: string | null;
  status: ReconciliationStatus | null;
  /** Rows whose |delta| is at least this many cents. */
  minDeltaCents: bigint | null;
  text: string;
}

export interface ReconciliationRow {
  id: string;
  period: string;
  customerId: string;
  customer: string;
  userId: string | null;
  status: ReconciliationStatus;
  computedCents: string | null;
  externalCents: string | null;
  deltaCents: string | null;
  note: string | null;
}

function reconciliationWhere(f: ReconciliationFilters): Prisma.ReconciliationWhereInput {
  const and: Prisma.ReconciliationWhereInput[] = [{ serviceId: f.serviceId }];
  if (f.period) and.push({ period: f.period });
  if (f.status) and.push({ status: f.status });
  if (f.minDeltaCents !== null && f.minDeltaCents > BigInt(0)) and.push({ OR: [{ deltaCents: { gte: f.minDeltaCents } }, { deltaCents: { lte: -f.minDeltaCents } }] });
  if (f.text) {
    and.push({
      OR: [
        { customer: { legalName: containsInsensitive(f.text) } },
        { customer: { email: containsInsensitive(f.text) } },
        { customer: { accountLinks: { some: { serviceId: f.serviceId, externalId: f.text } } } },
      ],
    });
  }
  return { AND: and };
}

async function readRows(client: Db, f: ReconciliationFilters, orderBy: Prisma.ReconciliationOrderByWithRelationInput[], window?: { skip: number; take: number }): Promise<ReconciliationRow[]> {
  const rows = await client.reconciliation.findMany({
    where: reconciliationWhere(f),
    include: { customer: { select: { legalName: true, accountLinks: { where: { serviceId: f.serviceId, deletedAt: null }, select: { externalId: true } } } } },
    orderBy,
    ...window,
  });
  return rows.map((r) => ({
    id: r.id, period: r.period, customerId: r.customerId, customer: r.customer.legalName, userId: r.customer.accountLinks[0]?.externalId ?? null, status: r.status,
    computedCents: r.computedCents?.toString() ?? null, externalCents: r.externalCents?.toString() ?? null, deltaCents: r.deltaCents?.toString() ?? null, note: r.note,
  }));
}

function orderOf(query: TableQuery<ReconciliationSort>): Prisma.ReconciliationOrderByWithRelationInput[] {
  const dir = query.desc ? ("desc" as const) : ("asc" as const);
  const first: Prisma.ReconciliationOrderByWithRelationInput =
    query.sort === "customer" ? { customer: { legalName: dir } } : query.sort === "status" || query.sort === "period" ? { [query.sort]: dir } : { [query.sort]: { sort: dir, nulls: "last" } };
  return [first, { id: "asc" }];
}

export async function listReconciliations(client: Db, query: TableQuery<ReconciliationSort>, filters: ReconciliationFilters) {
  return fetchTablePage(query, () => client.reconciliation.count({ where: reconciliationWhere(filters) }), (window) => readRows(client, filters, orderOf(query), window));
}

export interface PeriodSummary {
  period: string;
  rows: number;
  match: number;
  delta: number;
  error: number;
  /** match ÷ rows, in percent with one decimal, as text. */
  matchedPercent: string;
  totalDeltaCents: string;
  computedCents: string;
  externalCents: string;
}

export async function reconciliationSummary(client: Db, serviceId: string): Promise<PeriodSummary[]> {
  const rows = await client.$queryRaw<{ period: string; rows: bigint; match: bigint; delta: bigint; error: bigint; total_delta: string | null; computed: string | null; external: string | null }[]>`
    SELECT period, count(*) AS rows,
           count(*) FILTER (WHERE status = 'match') AS match,
           count(*) FILTER (WHERE status = 'delta') AS delta,
           count(*) FILTER (WHERE status = 'error') AS error,
           sum("deltaCents")::text AS total_delta, sum("computedCents")::text AS computed, sum("externalCents")::text AS external
      FROM "Reconciliation" WHERE "serviceId" = ${serviceId}::uuid GROUP BY period ORDER BY period`;
  return rows.map((r) => {
    const total = Number(r.rows);
    const match = Number(r.match);
    // One decimal, half up, from integers: (match × 1000 ÷ rows) rounded, then placed.
    const permille = total ? Math.floor((match * 2000 + total) / (2 * total)) : 0;
    return {
      period: r.period, rows: total, match, delta: Number(r.delta), error: Number(r.error),
      matchedPercent: `${Math.floor(permille / 10)}.${permille % 10}`, totalDeltaCents: r.total_delta ?? "0", computedCents: r.computed ?? "0", externalCents: r.external ?? "0",
    };
  });
}

const dollars = (cents: string | null) => {
  if (cents === null) return null;
  const negative = cents.startsWith("-");
  const digits = (negative ? cents.slice(1) : cents).padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};

/** Every row matching the filters as CSV (amounts in dollars with two decimals, CAD), in the table's order when given. */
export async function reconciliationCsv(client: Db, filters: ReconciliationFilters, query?: TableQuery<ReconciliationSort>): Promise<string> {
  const rows = await readRows(client, filters, query ? orderOf(query) : [{ period: "asc" }, { customer: { legalName: "asc" } }, { id: "asc" }]);
  const header = ["period", "customer", "nexacloud_user_id", "status", "computed", "nexacloud", "delta", "note", "customer_id", "row_id"];
  return toCsv(header, rows.map((r) => [r.period, r.customer, r.userId, r.status, dollars(r.computedCents), dollars(r.externalCents), dollars(r.deltaCents), r.note, r.customerId, r.id]));
}
