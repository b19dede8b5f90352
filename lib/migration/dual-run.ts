/**
 * The scheduled dual-run of a service: re-import from its source (an ImportRun with its log), then reconcile again each
 * recent month that changed — on the old system's side (its invoices' digest differs from the last reconciliation's) or
 * on ours (the import created or updated rows) — and raise a drift alert for each month past the service's thresholds.
 * A retired source, or a service already live, is not run.
 */
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ImportLogEntry } from "@/lib/nexacloud/importer";
import { raiseDriftAlert } from "./drift-alerts";
import { monthOf } from "./months";
import { loadServiceMigration, reconcileMonth } from "./service-migration";

export interface DualRunMonth {
  period: string;
  reconciled: boolean;
  /** Why it was (or was not) reconciled again. */
  reason: string;
  match?: number;
  delta?: number;
  error?: number;
  unlinked?: number;
  alertId?: string | null;
}

export interface DualRunResult {
  skipped: string | null;
  importRunId: string | null;
  importSucceeded: boolean;
  months: DualRunMonth[];
}

/** Months looked at on each run: the readiness window plus the month before it. */
function recentMonths(invoiced: string[], now: Date, readinessMonths: number): string[] {
  const current = monthOf(now);
  const done = invoiced.filter((m) => m <= current);
  return done.slice(-(readinessMonths + 1));
}

export async function runDualRun(client: Db, serviceId: string, options: { now?: Date; startedById?: string | null } = {}): Promise<DualRunResult> {
  const { migration, source } = await loadServiceMigration(client, serviceId);
  if (migration.state !== "dual_run") {
    return { skipped: migration.state === "retired" ? "The source is retired." : "The service is live.", importRunId: null, importSucceeded: false, months: [] };
  }
  const now = options.now ?? new Date();
  const importRunId = await source.startImport(client, { serviceId, dryRun: false, startedById: options.startedById ?? null });
  const counts = await source.executeImport(client, importRunId, { serviceId, dryRun: false, now });
  if (!counts) return { skipped: null, importRunId, importSucceeded: false, months: [] };

  const ourSideChanged = counts.created + counts.updated > 0;
  const periods = recentMonths(await source.invoicedMonths(client, serviceId), now, migration.readinessMonths);
  const signatures = await source.monthSignatures(client, serviceId, periods);
  const months: DualRunMonth[] = [];
  for (const period of periods) {
    const last = await client.reconciliationRun.findFirst({ where: { serviceId, period }, orderBy: { createdAt: "desc" } });
    const signature = signatures.get(period) ?? "";
    const reason = !last ? "never reconciled" : last.sourceSignature !== signature ? `${source.label}'s invoices changed` : ourSideChanged ? "the import changed imported data" : null;
    if (!reason) {
      months.push({ period, reconciled: false, reason: "unchanged since the last reconciliation" });
      continue;
    }
    const result = await reconcileMonth(client, serviceId, period, { sourceSignature: signature, importRunId });
    const alert = await raiseDriftAlert(client, { serviceId, period, reconciliationRunId: result.runId });
    months.push({ period, reconciled: true, reason, match: result.match, delta: result.delta, error: result.error, unlinked: result.unlinked.length, alertId: alert?.id ?? null });
  }

  // The run's log tells what the schedule did after the import.
  const run = await client.importRun.findUniqueOrThrow({ where: { id: importRunId }, select: { log: true } });
  const entries: ImportLogEntry[] = months.map((m) => ({
    level: m.alertId ? "warning" : "info", entity: "run", sourceId: null,
    message: m.reconciled
      ? `Reconciled ${m.period} (${m.reason}): ${m.match} match, ${m.delta} delta, ${m.error} error, ${m.unlinked} not imported${m.alertId ? " — drift alert raised" : ""}.`
      : `${m.period}: ${m.reason}.`,
  }));
  await client.importRun.update({ where: { id: importRunId }, data: { log: [...((run.log ?? []) as unknown as ImportLogEntry[]), ...entries] as unknown as Prisma.InputJsonValue } });
  return { skipped: null, importRunId, importSucceeded: true, months };
}
