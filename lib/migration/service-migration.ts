/**
 * A service's migration record and the work every source shares: reconciling a month (the source writes the rows, a
 * ReconciliationRun keeps the month's tally for readiness, the health panel and drift alerts).
 */
import { openSecret, sealSecret } from "@/lib/crypto/secret-box";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { Prisma, type ServiceMigration } from "@/lib/generated/prisma/client";
import { isMonth } from "./months";
import type { MigrationSource, SourceReconciliation } from "./source";
import { migrationSource } from "./sources";

/** The service's migration record; created (in dual-run) the first time a source is used for a shadow service. */
export async function ensureServiceMigration(client: Db, serviceId: string, sourceKind: string): Promise<ServiceMigration> {
  migrationSource(sourceKind);
  const existing = await client.serviceMigration.findUnique({ where: { serviceId } });
  if (existing) {
    if (existing.sourceKind !== sourceKind) {
      throw new DomainError("conflict", "migration_source_mismatch", undefined, `This service migrates from ${migrationSource(existing.sourceKind).label}, not from ${migrationSource(sourceKind).label}.`);
    }
    return existing;
  }
  const service = await client.service.findUnique({ where: { id: serviceId } });
  if (!service) throw new DomainError("not_found", "service_not_found", undefined, "The service does not exist.");
  if (service.mode !== "shadow") throw new DomainError("not_allowed", "service_not_shadow", undefined, `${service.name} is live: a migration starts from a shadow service.`);
  return client.serviceMigration.upsert({ where: { serviceId }, create: { serviceId, sourceKind }, update: {} });
}

export async function loadServiceMigration(client: Db, serviceId: string): Promise<{ migration: ServiceMigration; source: MigrationSource }> {
  const migration = await client.serviceMigration.findUnique({ where: { serviceId } });
  if (!migration) throw new DomainError("not_found", "migration_not_found", undefined, "This service is not migrating from an old system.");
  return { migration, source: migrationSource(migration.sourceKind) };
}

export function refuseRetired(migration: ServiceMigration): void {
  if (migration.state === "retired") {
    throw new DomainError("not_allowed", "source_retired", undefined, "The old system is retired: its history is read-only and nothing is imported or reconciled any more.");
  }
}

/** Reconciles one month through the service's source and records the month's tally as a ReconciliationRun. */
export async function reconcileMonth(
  client: Db, serviceId: string, period: string, context: { sourceSignature?: string; importRunId?: string } = {},
): Promise<SourceReconciliation & { runId: string; totalAbsDeltaCents: bigint }> {
  if (!isMonth(period)) throw new DomainError("invalid", "validation_errors", { period: ["invalid_period"] }, "Enter the month as YYYY-MM.");
  const { migration, source } = await loadServiceMigration(client, serviceId);
  refuseRetired(migration);
  const result = await source.reconcile(client, { serviceId, period });
  const rows = await client.reconciliation.findMany({ where: { serviceId, period }, select: { deltaCents: true } });
  const totalAbsDeltaCents = rows.reduce((sum, r) => sum + (r.deltaCents === null ? BigInt(0) : r.deltaCents < BigInt(0) ? -r.deltaCents : r.deltaCents), BigInt(0));
  const run = await client.reconciliationRun.create({
    data: {
      serviceId, period, rows: result.rows, matchCount: result.match, deltaCount: result.delta, errorCount: result.error,
      unlinkedCount: result.unlinked.length, totalAbsDeltaCents,
      unlinked: result.unlinked.map((u) => ({ accountId: u.accountId, externalCents: u.externalCents.toString() })),
      sourceSignature: context.sourceSignature ?? null, importRunId: context.importRunId ?? null,
    },
  });
  return { ...result, runId: run.id, totalAbsDeltaCents };
}

export interface SourceConnectionSettings {
  /** Source-specific fields: `dsn` for NexaCloud, `apiUrl` and `apiKey` for Lago. */
  connection: Record<string, string> | null;
  tolerance: { cents: bigint; percent: string };
}

/** Sets a service's source connection (stored encrypted) and tolerance; starts its migration record when needed. */
export async function saveSourceConnection(
  client: Db,
  input: { serviceId: string; sourceKind: string; connection?: Record<string, string>; toleranceCents?: bigint; tolerancePercent?: string },
): Promise<void> {
  const migration = await ensureServiceMigration(client, input.serviceId, input.sourceKind);
  refuseRetired(migration);
  if (input.toleranceCents !== undefined && input.toleranceCents < BigInt(0)) {
    throw new DomainError("invalid", "validation_errors", { tolerance_cents: ["must_not_be_negative"] }, "The tolerance cannot be negative.");
  }
  await client.serviceMigration.update({
    where: { serviceId: input.serviceId },
    data: {
      ...(input.connection ? { connectionEncrypted: sealSecret(JSON.stringify(input.connection)) } : {}),
      ...(input.toleranceCents !== undefined ? { toleranceCents: input.toleranceCents } : {}),
      ...(input.tolerancePercent !== undefined ? { tolerancePercent: new Prisma.Decimal(input.tolerancePercent) } : {}),
    },
  });
}

/** The connection and tolerance stored for a service's source (connection null when none is stored). */
export async function loadSourceConnection(client: Db, serviceId: string): Promise<SourceConnectionSettings & { migration: ServiceMigration | null }> {
  const migration = await client.serviceMigration.findUnique({ where: { serviceId } });
  let connection: Record<string, string> | null = null;
  if (migration?.connectionEncrypted) {
    try {
      connection = JSON.parse(openSecret(migration.connectionEncrypted)) as Record<string, string>;
    } catch (error) {
      throw new DomainError("invalid", "validation_errors", { form: ["connection_unreadable"] }, `The stored connection cannot be read: ${(error as Error).message}`);
    }
  }
  return {
    migration,
    connection,
    tolerance: { cents: migration?.toleranceCents ?? BigInt(1), percent: migration ? migration.tolerancePercent.toString() : "0" },
  };
}

export interface DualRunSettings {
  /** Cron (UTC), or null to run by hand only. */
  scheduleCron: string | null;
  readinessMonths: number;
  driftAlertMismatches: number;
  driftAlertDeltaCents: bigint;
}

/** Changes the dual-run schedule, the readiness window and the drift thresholds (then sync pg-boss's schedule). */
export async function saveDualRunSettings(client: Db, serviceId: string, settings: DualRunSettings): Promise<void> {
  const { migration } = await loadServiceMigration(client, serviceId);
  refuseRetired(migration);
  const fields: Record<string, string[]> = {};
  if (settings.scheduleCron !== null && settings.scheduleCron.trim().split(/\s+/).length !== 5) fields.schedule_cron = ["invalid_cron"];
  if (!Number.isInteger(settings.readinessMonths) || settings.readinessMonths < 1 || settings.readinessMonths > 12) fields.readiness_months = ["value_is_out_of_range"];
  if (!Number.isInteger(settings.driftAlertMismatches) || settings.driftAlertMismatches < 0) fields.drift_alert_mismatches = ["value_is_out_of_range"];
  if (settings.driftAlertDeltaCents < BigInt(0)) fields.drift_alert_delta_cents = ["value_is_out_of_range"];
  if (Object.keys(fields).length) throw new DomainError("invalid", "validation_errors", fields, "Check the highlighted fields.");
  await client.serviceMigration.update({
    where: { serviceId },
    data: { scheduleCron: settings.scheduleCron?.trim() || null, readinessMonths: settings.readinessMonths, driftAlertMismatches: settings.driftAlertMismatches, driftAlertDeltaCents: settings.driftAlertDeltaCents },
  });
}
