import type PgBoss from "pg-boss";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { runDualRun } from "@/lib/migration/dual-run";

/**
 * The scheduled dual-run: one pg-boss queue and schedule per service in dual-run with a schedule (cron, UTC), so each
 * service runs on its own clock, once across all app instances. A service that goes live or retires its source loses
 * its schedule.
 */
export const dualRunQueue = (serviceId: string) => `migration-dual-run-${serviceId}`;

const globalForMigrationJobs = globalThis as unknown as { nexaDualRunWorkers?: Set<string> };

/** Makes pg-boss's schedule of one service match its migration record. Refuses a cron pg-boss cannot read. */
export async function syncDualRunSchedule(boss: PgBoss, client: Db, serviceId: string): Promise<void> {
  const migration = await client.serviceMigration.findUnique({ where: { serviceId } });
  const queue = dualRunQueue(serviceId);
  if (!migration || migration.state !== "dual_run" || !migration.scheduleCron) {
    await boss.unschedule(queue).catch(() => {});
    return;
  }
  await boss.createQueue(queue);
  try {
    await boss.schedule(queue, migration.scheduleCron, { serviceId }, { tz: "UTC" });
  } catch (error) {
    throw new DomainError("invalid", "validation_errors", { schedule_cron: ["invalid_cron"] }, `Not a cron schedule: ${(error as Error).message}`);
  }
  const workers = (globalForMigrationJobs.nexaDualRunWorkers ??= new Set());
  if (!workers.has(queue)) {
    workers.add(queue);
    await boss.work<{ serviceId: string }>(queue, { batchSize: 1 }, async ([job]) => {
      const result = await runDualRun(client, job.data.serviceId);
      if (!result.importSucceeded && !result.skipped) console.error(`Dual-run of ${job.data.serviceId}: the import failed (ImportRun ${result.importRunId}).`);
    });
  }
}

/** At start: the schedules of every migration. */
export async function startDualRunJobs(boss: PgBoss, client: Db): Promise<void> {
  for (const { serviceId } of await client.serviceMigration.findMany({ select: { serviceId: true } })) {
    await syncDualRunSchedule(boss, client, serviceId).catch((error) => console.error(`Dual-run schedule of ${serviceId}:`, (error as Error).message));
  }
}
