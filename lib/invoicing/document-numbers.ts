import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * The next gap-free number of a series, e.g. INV-2026-000123. Taken inside the caller's transaction under the series
 * row's lock: concurrent finalisations wait for each other, and a rolled-back one gives its number back.
 */
export async function nextDocumentNumber(tx: Prisma.TransactionClient, prefix: "INV" | "CN", year: number): Promise<string> {
  const series = `${prefix}-${year}`;
  const rows = await tx.$queryRaw<{ value: number }[]>`
    INSERT INTO "DocumentSequence" ("series", "nextValue") VALUES (${series}, 2)
    ON CONFLICT ("series") DO UPDATE SET "nextValue" = "DocumentSequence"."nextValue" + 1
    RETURNING "nextValue" - 1 AS value`;
  return `${series}-${String(rows[0].value).padStart(6, "0")}`;
}
