import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * The ImportRun record every migration source's import fills in: one running import per service at a time, progress
 * counts while it runs, then its outcome and log. A source module brings only the import itself.
 */

export const MAX_LOG_ENTRIES = 5000;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export interface ImportRunLogEntry {
  level: "info" | "warning" | "error";
  entity: string;
  sourceId: string | null;
  message: string;
}

export function describeCounts(c: ImportCounts): string {
  return `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed`;
}

function countColumns(c: ImportCounts) {
  return { createdCount: c.created, updatedCount: c.updated, unchangedCount: c.unchanged, skippedCount: c.skipped, failedCount: c.failed };
}

/** Creates the run record (status running) that the import then fills in. Refused while another import of the service runs. */
export async function startImportRun(client: Db, kind: string, input: { dryRun: boolean; startedById: string | null; serviceId: string }): Promise<string> {
  const running = await client.importRun.findFirst({
    where: { kind, serviceId: input.serviceId, status: "running", startedAt: { gt: new Date(Date.now() - 60 * 60 * 1000) } },
  });
  if (running) throw new DomainError("conflict", "import_already_running", undefined, "An import is already running; wait for it to finish.");
  const run = await client.importRun.create({ data: { kind, dryRun: input.dryRun, startedById: input.startedById, serviceId: input.serviceId } });
  return run.id;
}

type ProgressReporter = (processed: number, total: number, counts: ImportCounts) => Promise<void>;

/**
 * Runs an import as run `runId`, recording its progress, counts and log on it. Null when the source itself failed
 * (a DomainError or the source being unreachable): the run says why. Anything else is a defect and is thrown.
 */
export async function recordImportRun<S extends { counts: ImportCounts; log: ImportRunLogEntry[]; durationMs: number }>(
  client: Db,
  runId: string,
  options: { dryRun: boolean; sourceName?: string },
  runImport: (onProgress: ProgressReporter) => Promise<S>,
): Promise<S | null> {
  try {
    const summary = await runImport(async (processed, total, counts) => {
      await client.importRun.update({ where: { id: runId }, data: { processedRows: processed, totalRows: total, ...countColumns(counts) } });
    });
    const log: ImportRunLogEntry[] = summary.log.slice(0, MAX_LOG_ENTRIES);
    if (summary.log.length > MAX_LOG_ENTRIES) log.push({ level: "warning", entity: "run", sourceId: null, message: `${summary.log.length - MAX_LOG_ENTRIES} more log entries left out.` });
    const what = `${options.dryRun ? "Dry run (rolled back)" : "Import"}${options.sourceName ? ` from ${options.sourceName}` : ""}`;
    log.unshift({ level: "info", entity: "run", sourceId: null, message: `${what} finished in ${summary.durationMs} ms: ${describeCounts(summary.counts)}.` });
    await client.importRun.update({
      where: { id: runId },
      data: { status: "succeeded", ...countColumns(summary.counts), log: log as unknown as Prisma.InputJsonValue, finishedAt: new Date() },
    });
    return summary;
  } catch (error) {
    await client.importRun.update({
      where: { id: runId },
      data: { status: "failed", log: [{ level: "error", entity: "run", sourceId: null, message: (error as Error).message }], finishedAt: new Date() },
    });
    if (error instanceof DomainError || (error as Error).name === "SourceUnavailableError") return null;
    throw error;
  }
}
