import { Prisma } from "@/lib/generated/prisma/client";

/**
 * The one owner of document number sequences (INV-YYYY-NNNNNN for invoices, CN-YYYY-NNNNNN for credit notes). Numbers
 * are taken inside the caller's transaction under the series row's lock: concurrent issuers wait for each other, and a
 * rolled-back transaction gives its numbers back, so each series stays gap-free. The lock is held until the caller
 * commits, so callers that write many documents take their numbers as late as they can (the period close takes a
 * chunk's numbers right before writing its invoices, after reading and composing them).
 */
export type DocumentPrefix = "INV" | "CN";

export const seriesOf = (prefix: DocumentPrefix, year: number) => `${prefix}-${year}`;

/** The statement that takes `count` consecutive numbers of a series, returning one row with the first (`first`). */
function takeNumbersSql(series: string, count: number): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO "DocumentSequence" ("series", "nextValue") VALUES (${series}, ${count + 1})
    ON CONFLICT ("series") DO UPDATE SET "nextValue" = "DocumentSequence"."nextValue" + ${count}
    RETURNING "nextValue" - ${count} AS first`;
}

const formatNumber = (series: string, n: number) => `${series}-${String(n).padStart(6, "0")}`;

/** Takes `count` consecutive numbers of a series at once. */
export async function reserveDocumentNumbers(tx: Prisma.TransactionClient, prefix: DocumentPrefix, year: number, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const series = seriesOf(prefix, year);
  const rows = await tx.$queryRaw<{ first: number }[]>(takeNumbersSql(series, count));
  const first = Number(rows[0].first);
  return Array.from({ length: count }, (_, n) => formatNumber(series, first + n));
}

/** The next number of a series, e.g. INV-2026-000123. */
export async function nextDocumentNumber(tx: Prisma.TransactionClient, prefix: DocumentPrefix, year: number): Promise<string> {
  const [number] = await reserveDocumentNumbers(tx, prefix, year, 1);
  return number;
}
