import PgBoss from "pg-boss";
import { describe, expect, it } from "vitest";
import { PERIOD_CLOSE_CRON, PERIOD_CLOSE_QUEUE } from "@/lib/jobs/billing-jobs";
import { testDb } from "../support/api-fixture";
import { testEnv } from "../support/env";

describe("billing jobs (pg-boss, started with the app)", () => {
  it("schedules the period close in PostgreSQL and runs queued billing runs in the app's worker", async () => {
    // The running app created the queue and the schedule at start-up.
    const schedules = await testDb().$queryRawUnsafe<{ name: string; cron: string }[]>(`SELECT name, cron FROM pgboss.schedule`);
    expect(schedules).toContainEqual({ name: PERIOD_CLOSE_QUEUE, cron: PERIOD_CLOSE_CRON });

    // Billing up to a past instant: the worker really runs the billing run, without billing other tests' data under them.
    const run = await testDb().billingRun.create({ data: { status: "queued", trigger: "console", billingUpTo: new Date("2000-01-01T00:00:00Z") } });
    const sender = new PgBoss({ connectionString: testEnv.databaseUrl, schema: "pgboss", max: 1, supervise: false, schedule: false });
    await sender.start();
    try {
      await sender.send(PERIOD_CLOSE_QUEUE, { billingRunId: run.id, trigger: "console" });
    } finally {
      await sender.stop({ graceful: false, wait: true });
    }
    let status = "queued";
    for (let i = 0; i < 60 && (status === "queued" || status === "running"); i++) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await testDb().billingRun.findUniqueOrThrow({ where: { id: run.id } })).status;
    }
    const finished = await testDb().billingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(finished.status).toBe("succeeded");
    expect(finished.subscriptionsBilled).toBe(0);
    expect(finished.startedAt).toBeInstanceOf(Date);
    expect(finished.finishedAt).toBeInstanceOf(Date);
  });
});
