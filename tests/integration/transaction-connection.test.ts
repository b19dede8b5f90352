import { describe, expect, it } from "vitest";
import { pgQuery, withTransactionConnection } from "@/lib/db/transaction-connection";
import { Prisma } from "@/lib/generated/prisma/client";
import { testDb, uniqueSuffix } from "../support/api-fixture";

/**
 * The period close sends its large statements on the connection of its Prisma transaction: they must be that
 * transaction's statements (same backend, committed or rolled back with it), also with other transactions running.
 */
describe("withTransactionConnection", () => {
  const backend = "SELECT pg_backend_pid() AS pid, txid_current() AS txid";

  it("gives the connection the Prisma transaction runs on, in parallel transactions too", async () => {
    const seen = await Promise.all(
      Array.from({ length: 6 }, () =>
        withTransactionConnection(testDb(), async (tx, connection) => {
          const [viaPrisma] = await tx.$queryRawUnsafe<{ pid: number; txid: bigint }[]>(backend);
          const { rows: [direct] } = await connection.query<{ pid: number; txid: string }>(backend);
          return { prisma: `${viaPrisma.pid}:${viaPrisma.txid}`, direct: `${direct.pid}:${direct.txid}` };
        }),
      ),
    );
    for (const s of seen) expect(s.direct).toBe(s.prisma);
    expect(new Set(seen.map((s) => s.prisma)).size).toBe(6);
  });

  it("commits what was written on the connection with the transaction, and rolls it back with it", async () => {
    const kept = `tc-kept-${uniqueSuffix()}`;
    const dropped = `tc-dropped-${uniqueSuffix()}`;
    const insert = (code: string) => pgQuery(Prisma.sql`INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES (gen_random_uuid(), ${code}, ${code}, 'live', now())`);
    await withTransactionConnection(testDb(), async (_tx, connection) => {
      await connection.query(insert(kept));
    });
    await expect(
      withTransactionConnection(testDb(), async (tx, connection) => {
        await connection.query(insert(dropped));
        // Visible inside the transaction through Prisma too: one transaction, not two.
        expect(await tx.service.count({ where: { code: dropped } })).toBe(1);
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    expect(await testDb().service.count({ where: { code: kept } })).toBe(1);
    expect(await testDb().service.count({ where: { code: dropped } })).toBe(0);
  });
});
