import { describe, expect, it } from "vitest";
import { pgQuery, withTransactionConnection } from "@/lib/db/transaction-connection";
import { Prisma } from "@/lib/generated/prisma/client";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { createTestService, testDb, uniqueSuffix } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { statementWatchingClient } from "../support/statement-watch";

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

  it("refuses statements once the transaction has timed out and rolled back, so none runs outside it", async () => {
    const late = `tc-late-${uniqueSuffix()}`;
    let refused: unknown = null;
    let settle!: () => void;
    const callbackDone = new Promise<void>((resolve) => (settle = resolve));
    await expect(
      withTransactionConnection(testDb(), async (_tx, connection) => {
        try {
          // Past the transaction's timeout: Prisma rolls it back and gives the connection back meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 700));
          await connection.query(pgQuery(Prisma.sql`INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES (gen_random_uuid(), ${late}, ${late}, 'live', now())`));
        } catch (error) {
          refused = error;
        } finally {
          settle();
        }
      }, { timeout: 200 }),
    ).rejects.toThrow();
    await callbackDone;
    expect(String(refused)).toContain("The transaction has ended");
    expect(await testDb().service.count({ where: { code: late } })).toBe(0);
  });
});

/**
 * The period close sends statements both through its Prisma transaction and on that transaction's connection. Sent
 * while the other is still running, a statement would queue inside node-postgres, which warns that this is deprecated
 * and will fail in pg 9: the close must send them one at a time.
 */
describe("the period close on its transaction's connection", () => {
  /** A client whose connections record each statement sent while another is still running on the same connection. */
  const watchedClient = () => {
    const overlaps: string[] = [];
    const client = statementWatchingClient(testEnv.databaseUrl, (text, overlapping) => {
      if (overlapping) overlaps.push(text.slice(0, 80));
    });
    return { client, overlaps };
  };

  it("sees two statements sent at once on one connection", async () => {
    const { client, overlaps } = watchedClient();
    try {
      await withTransactionConnection(client, async (_tx, connection) => {
        await Promise.all([connection.query("SELECT pg_sleep(0.05)"), connection.query("SELECT 1")]);
      });
      expect(overlaps).toEqual(["SELECT 1"]);
    } finally {
      await client.$disconnect();
    }
  });

  it("never sends a statement while another is running on the same connection", async () => {
    const { client, overlaps } = watchedClient();
    try {
      await testDb().companyProfile.upsert({ where: { id: 1 }, update: {}, create: { id: 1, legalName: "Nexa Technologies Inc.", province: "ON", gstHstNumber: "123456789 RT0001" } });
      const svc = await createTestService("live");
      const metric = await client.billableMetric.create({ data: { serviceId: svc.id, code: `gb_${svc.code}`, name: "GB", aggregation: "sum", fieldName: "gb" } });
      const plan = await client.plan.create({ data: { serviceId: svc.id, code: `p_${svc.code}`, name: "P", amountCents: BigInt(1000), charges: { create: { billableMetricId: metric.id, code: "gb", properties: { amount: "0.5" } } } } });
      const start = new Date("2026-10-01T04:00:00Z");
      for (let i = 0; i < 3; i++) {
        const customer = await client.customer.create({ data: { legalName: `Overlap ${i}`, province: "ON", country: "CA", timezone: "America/Toronto" } });
        const sub = await client.subscription.create({
          data: { externalId: `ov-${i}`, customerId: customer.id, serviceId: svc.id, planId: plan.id, billingAnchorDate: start, subscriptionAt: start, startedAt: start, nextBillingAt: new Date("2026-11-01T04:00:00Z") },
        });
        await client.usageRollup.create({ data: { serviceId: svc.id, subscriptionId: sub.id, billableMetricId: metric.id, periodStart: new Date("2026-10-15T12:00:00Z"), periodEnd: new Date("2026-10-15T12:00:00Z"), value: "10", idempotencyKey: `ov-${svc.code}-${i}` } });
      }
      const run = await runBillingCycle(client, new Date("2026-11-01T12:00:00Z"), { serviceId: svc.id });
      expect(run.failures).toEqual([]);
      expect(run.invoicesCreated).toBe(3);
      // $10.00 + 10 GB × $0.50 = $15.00, + 13 % HST = $16.95 each.
      expect((await client.invoice.findMany({ where: { serviceId: svc.id } })).map((i) => [i.status, i.totalCents])).toEqual(Array(3).fill(["finalized", BigInt(1695)]));
      expect(overlaps).toEqual([]);
    } finally {
      await client.$disconnect();
    }
  });
});
