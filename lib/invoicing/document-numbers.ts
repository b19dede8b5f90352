import type { Prisma } from "@/lib/generated/prisma/client";

/**
 * The one owner of document number sequences (INV-YYYY-NNNNNN for invoices, CN-YYYY-NNNNNN for credit notes). Numbers
 * are taken inside the caller's transaction under the series row's lock: concurrent issuers wait for each other, and a
 * rolled-back transaction gives its numbers back, so each series stays gap-free.
 */
export type DocumentPrefix = "INV" | "CN";

/** Takes `count` consecutive numbers of a series at once (the period close numbers a whole chunk with one statement). */
export async function reserveDocumentNumbers(tx: Prisma.TransactionClient, prefix: DocumentPrefix, year: number, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const series = `${prefix}-${year}`;
  const rows = await tx.$queryRaw<{ first: number }[]>`
    INSERT INTO "DocumentSequence" ("series", "nextValue") VALUES (${series}, ${count + 1})
    ON CONFLICT ("series") DO UPDATE SET "nextValue" = "DocumentSequence"."nextValue" + ${count}
    RETURNING "nextValue" - ${count} AS first`;
  const first = Number(rows[0].first);
  return Array.from({ length: count }, (_, n) => `${series}-${String(first + n).padStart(6, "0")}`);
}

/** The next number of a series, e.g. INV-2026-000123. */
export async function nextDocumentNumber(tx: Prisma.TransactionClient, prefix: DocumentPrefix, year: number): Promise<string> {
  const [number] = await reserveDocumentNumbers(tx, prefix, year, 1);
  return number;
}
