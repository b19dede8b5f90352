/** The dual-run health panel: how well the last months reconcile, their trend and the customers furthest apart. */
import type { Db } from "@/lib/db/prisma";

export interface DualRunHealth {
  monthsReconciled: number;
  /** Matched customer rows over all rows of the latest run of each month, in percent (null when nothing ran). */
  matchRatePercent: number | null;
  totalAbsDeltaCents: bigint;
  trend: { period: string; rows: number; matchRatePercent: number | null; totalAbsDeltaCents: bigint; mismatches: number }[];
  worstCustomers: { customerId: string; legalName: string; period: string; status: string; deltaCents: bigint | null; note: string | null }[];
  openAlerts: { id: string; period: string; message: string; createdAt: Date }[];
}

export async function dualRunHealth(client: Db, serviceId: string, options: { months?: number; worst?: number } = {}): Promise<DualRunHealth> {
  const runs = await client.reconciliationRun.findMany({ where: { serviceId }, orderBy: [{ period: "desc" }, { createdAt: "desc" }] });
  const latest = new Map<string, (typeof runs)[number]>();
  for (const run of runs) if (!latest.has(run.period)) latest.set(run.period, run);
  const periods = [...latest.keys()].sort().slice(-(options.months ?? 12));
  const trend = periods.map((period) => {
    const run = latest.get(period)!;
    return {
      period, rows: run.rows, matchRatePercent: run.rows ? Math.round((run.matchCount / run.rows) * 1000) / 10 : null,
      totalAbsDeltaCents: run.totalAbsDeltaCents, mismatches: run.deltaCount + run.errorCount + run.unlinkedCount,
    };
  });
  const rows = trend.reduce((s, t) => s + t.rows, 0);
  const matched = periods.reduce((s, p) => s + latest.get(p)!.matchCount, 0);
  const worst = await client.$queryRaw<{ customerId: string; legalName: string; period: string; status: string; deltaCents: bigint | null; note: string | null }[]>`
    SELECT r."customerId", c."legalName", r.period, r.status::text AS status, r."deltaCents", r.note
      FROM "Reconciliation" r JOIN "Customer" c ON c.id = r."customerId"
     WHERE r."serviceId" = ${serviceId}::uuid AND r.period = ANY(${periods}::text[]) AND r.status <> 'match'
     ORDER BY (r.status = 'error') DESC, abs(coalesce(r."deltaCents", 0)) DESC, r.period DESC
     LIMIT ${options.worst ?? 10}`;
  const openAlerts = await client.migrationAlert.findMany({ where: { serviceId, acknowledgedAt: null }, orderBy: { createdAt: "desc" }, select: { id: true, period: true, message: true, createdAt: true } });
  return {
    monthsReconciled: periods.length,
    matchRatePercent: rows ? Math.round((matched / rows) * 1000) / 10 : null,
    totalAbsDeltaCents: trend.reduce((s, t) => s + t.totalAbsDeltaCents, BigInt(0)),
    trend,
    worstCustomers: worst,
    openAlerts,
  };
}
