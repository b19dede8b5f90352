import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleApiErrors } from "@/lib/api/errors";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { startAppServer, type AppServer } from "../support/app-server";
import { testEnv } from "../support/env";

/**
 * Saturation is a 503 with Retry-After in Lago's shape, never a 500: an app process with a one-connection pool and a
 * 1.5 s bounded wait, whose only connection is held by a write stuck behind a table lock.
 */
describe("a saturated connection pool", () => {
  let app: AppServer;
  let svc: TestService;
  const api = (path: string, body?: unknown) =>
    fetch(`${app.baseUrl}/api/billing/v1${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${svc.apiKey}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    svc = await createTestService();
    app = await startAppServer({ databaseUrl: testEnv.databaseUrl, env: { DB_POOL_MAX: "1", DB_POOL_WAIT_MS: "1500", NEXA_JOBS: "off" } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("answers 503 + Retry-After past the bounded wait, then serves again", async () => {
    const p = svc.code;
    const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "c", code: `sat_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({ plan: { name: "S", code: `sat_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "1" } }] } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sat-c", plan_code: `sat_${p}`, external_id: "sat-s" } });
    const push = (key: string) => api("/usage", { usage: { external_subscription_id: "sat-s", code: `sat_${p}`, timestamp: new Date(Date.now() - 1000).toISOString(), value: "1", idempotency_key: key } });
    expect((await push("warm")).status).toBe(200); // the key is now verified and cached, the connection open

    const locker = new pg.Client({ connectionString: testEnv.databaseUrl });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "UsageRollup" IN EXCLUSIVE MODE`);
      const stuck = push("stuck"); // takes the only connection and waits on the lock
      await new Promise((r) => setTimeout(r, 300));
      const busy = await Promise.all([api("/customers"), api("/customers/sat-c"), push("other")]);
      for (const res of busy) {
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("1");
        expect(await res.json()).toEqual({ status: 503, error: "Service Unavailable", code: "server_busy", message: "The server is busy; retry shortly." });
      }
      await locker.query("COMMIT");
      expect((await stuck).status).toBe(200);
    } finally {
      await locker.end();
    }
    expect((await api("/customers")).status).toBe(200);
    expect((await push("other")).status).toBe(200);
    expect(app.output()).not.toContain("Unhandled API error");
  });
});

describe("transient transaction failures", () => {
  const answerTo = async (failing: Promise<unknown>) => {
    const error = await failing.then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    return handleApiErrors(async () => {
      throw error;
    });
  };
  const expectServerBusy = async (res: Response) => {
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({ status: 503, code: "server_busy" });
  };

  it("answers 503 server_busy for a transaction that outlived its timeout (rolled back whole), not 500", async () => {
    const expired = testDb().$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_sleep(0.3)`;
      return tx.$queryRaw`SELECT 1`;
    }, { timeout: 100 });
    await expectServerBusy(await answerTo(expired));
  });

  it("answers 503 server_busy for a transaction PostgreSQL aborted as a deadlock victim, not 500", async () => {
    const [a, b] = [Math.floor(Math.random() * 1e9), Math.floor(Math.random() * 1e9) + 1e9];
    const holdThenWant = (first: number, second: number) =>
      testDb().$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${first}::bigint)`;
        await tx.$executeRaw`SELECT pg_sleep(0.2)`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${second}::bigint)`;
      }, { timeout: 10_000 });
    const outcomes = await Promise.allSettled([holdThenWant(a, b), holdThenWant(b, a)]);
    const victims = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(victims).toHaveLength(1);
    await expectServerBusy(await answerTo(Promise.reject(victims[0].reason)));
  });
});
