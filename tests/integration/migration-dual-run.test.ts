import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dualRunQueue, syncDualRunSchedule } from "@/lib/jobs/migration-jobs";
import { runDualRun } from "@/lib/migration/dual-run";
import { dualRunHealth } from "@/lib/migration/dual-run-health";
import { readinessReport } from "@/lib/migration/readiness";
import { saveDualRunSettings, saveSourceConnection } from "@/lib/migration/service-migration";
import { createFixtureDatabase, createSelectOnlyRole, EDGE_USERS } from "@/lib/nexacloud/fixture";
import { testDb as db, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { waitForMail } from "../support/mail-catcher";
import { waitFor } from "../support/webhook-receiver";

// A NexaCloud shadow service on its pg-boss schedule: each run is an ImportRun, reconciles only the months that changed,
// and a month that drifts raises an alert e-mailed to staff.

let fixtureUrl: string;
let service: { id: string; code: string; name: string };
let boss: PgBoss;
const CLEAN_USERS = [EDGE_USERS.underIncluded, EDGE_USERS.overage, EDGE_USERS.centOff, EDGE_USERS.outsideCanada, EDGE_USERS.startedMidMonth];

async function sourceAdmin(sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: fixtureUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  const fixture = await createFixtureDatabase(testEnv.adminUrl, { seed: 5, users: 12, prefix: "nexacloud_dualrun" });
  fixtureUrl = fixture.url;
  const gone = Array.from({ length: 12 }, (_, i) => i + 1).filter((id) => !(CLEAN_USERS as number[]).includes(id));
  await sourceAdmin("DELETE FROM invoice_items WHERE user_id = ANY($1)", [gone]);
  await sourceAdmin("DELETE FROM invoices WHERE user_id = ANY($1)", [gone]);
  await sourceAdmin("DELETE FROM usage WHERE deployment_id IN (SELECT id FROM deployments WHERE user_id = ANY($1)) OR subscription_id IN (SELECT id FROM subscriptions WHERE user_id = ANY($1))", [gone]);
  await sourceAdmin("DELETE FROM deployments WHERE user_id = ANY($1)", [gone]);
  await sourceAdmin("DELETE FROM subscriptions WHERE user_id = ANY($1)", [gone]);
  await sourceAdmin("DELETE FROM users WHERE id = ANY($1)", [gone]);
  const s = uniqueSuffix();
  service = await db().service.create({ data: { code: `nxc_dual_${s}`, name: `Test NexaCloud dual-run ${s}`, mode: "shadow" } });
  await saveSourceConnection(db(), { serviceId: service.id, sourceKind: "nexacloud", connection: { dsn: await createSelectOnlyRole(fixtureUrl) } });
  boss = new PgBoss({ connectionString: testEnv.databaseUrl, schema: "pgboss", max: 2 });
  boss.on("error", () => {});
  await boss.start();
});

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: false }).catch(() => {});
});

describe("Scheduled dual-run", () => {
  it("a service's schedule is a pg-boss schedule; its job re-imports (an ImportRun with its log) and reconciles every month it has not seen", async () => {
    expect((await domainRefusal(saveDualRunSettings(db(), service.id, { scheduleCron: "every night", readinessMonths: 2, driftAlertMismatches: 0, driftAlertDeltaCents: BigInt(500) }))).details).toEqual({ schedule_cron: ["invalid_cron"] });
    await saveDualRunSettings(db(), service.id, { scheduleCron: "15 4 * * *", readinessMonths: 2, driftAlertMismatches: 0, driftAlertDeltaCents: BigInt(500) });
    await syncDualRunSchedule(boss, db(), service.id);
    const schedules = await boss.getSchedules();
    expect(schedules.find((s) => s.name === dualRunQueue(service.id))).toMatchObject({ cron: "15 4 * * *", data: { serviceId: service.id }, timezone: "UTC" });
    // The schedule is real: left in place, a suite running across 04:15 UTC had its run start beside the tests' own
    // runs below, which the service's running import then refused ("An import is already running").
    await boss.unschedule(dualRunQueue(service.id));

    // What the schedule sends at 04:15 UTC, sent now: the registered worker carries it out.
    await boss.send(dualRunQueue(service.id), { serviceId: service.id });
    const run = (await waitFor(async () => {
      const found = await db().importRun.findFirst({ where: { serviceId: service.id, status: { not: "running" } } });
      const log = (found?.log ?? []) as { message: string }[];
      return found && log.some((e) => e.message.startsWith("Reconciled 2026-10")) ? found : null;
    }, { timeoutMs: 120_000, intervalMs: 500 }))!;
    expect(run).toMatchObject({ status: "succeeded", dryRun: false, failedCount: 1 }); // the negative usage row
    const messages = (run.log as { message: string }[]).map((e) => e.message);
    expect(messages.filter((m) => m.startsWith("Reconciled"))).toEqual([
      "Reconciled 2026-08 (never reconciled): 4 match, 0 delta, 0 error, 0 not imported.", // user 12 starts in September
      "Reconciled 2026-09 (never reconciled): 5 match, 0 delta, 0 error, 0 not imported.",
      "Reconciled 2026-10 (never reconciled): 5 match, 0 delta, 0 error, 0 not imported.",
    ]);
    expect(await db().reconciliationRun.count({ where: { serviceId: service.id, importRunId: run.id } })).toBe(3);
    expect(await db().migrationAlert.count({ where: { serviceId: service.id } })).toBe(0);
  }, 180_000);

  it("a run with nothing changed on either side reconciles nothing again", async () => {
    const result = await runDualRun(db(), service.id);
    expect(result.months.map((m) => [m.period, m.reconciled, m.reason])).toEqual([
      ["2026-08", false, "unchanged since the last reconciliation"],
      ["2026-09", false, "unchanged since the last reconciliation"],
      ["2026-10", false, "unchanged since the last reconciliation"],
    ]);
    expect(await db().importRun.count({ where: { serviceId: service.id } })).toBe(2);
  }, 120_000);

  it("a month NexaCloud changed is reconciled again; past the thresholds staff are e-mailed and the console shows the alert", async () => {
    // NexaCloud credits a customer $12.00 on October's invoice after the fact.
    const [invoice] = await sourceAdmin("SELECT id FROM invoices WHERE user_id = $1 AND period = '2026-10'", [EDGE_USERS.underIncluded]);
    await sourceAdmin("INSERT INTO invoice_items (id, invoice_id, user_id, period, description, subtotal_cents) VALUES ($1, $2, $3, '2026-10', 'Goodwill credit', -1200)", [Number(invoice.id) * 10 + 7, invoice.id, EDGE_USERS.underIncluded]);
    const result = await runDualRun(db(), service.id);
    expect(result.months.map((m) => [m.period, m.reconciled, m.reason])).toEqual([
      ["2026-08", false, "unchanged since the last reconciliation"],
      ["2026-09", false, "unchanged since the last reconciliation"],
      ["2026-10", true, "NexaCloud's invoices changed"],
    ]);
    const october = result.months[2];
    expect(october).toMatchObject({ match: 4, delta: 1, error: 0 });
    expect(october.alertId).toBeTruthy();
    const alert = await db().migrationAlert.findUniqueOrThrow({ where: { id: october.alertId! } });
    expect(alert.message).toBe(`${service.name} 2026-10: 1 mismatched account(s) (1 delta, 0 error, 0 not imported), total absolute delta $12.00 — thresholds 0 account(s) and $5.00.`);
    expect(alert.emailedTo).toContain(testEnv.adminEmail);
    const mail = await waitForMail(testEnv.mailUrl, testEnv.adminEmail, (m) => m.subject === `Dual-run drift: ${service.name} 2026-10`);
    expect(mail.text).toContain(`/console/migrations/${service.id}`);

    // The next run does not alert again for the same open month.
    await sourceAdmin("UPDATE invoice_items SET subtotal_cents = -1300 WHERE description = 'Goodwill credit' AND user_id = $1", [EDGE_USERS.underIncluded]);
    const again = await runDualRun(db(), service.id);
    expect(again.months[2]).toMatchObject({ reconciled: true, delta: 1, alertId: null });
    expect(await db().migrationAlert.count({ where: { serviceId: service.id } })).toBe(1);

    // Health panel and readiness read the same runs.
    const health = await dualRunHealth(db(), service.id);
    expect(health.monthsReconciled).toBe(3);
    expect(health.matchRatePercent).toBe(92.9); // 13 of 14 customer-months
    expect(health.trend.map((t) => [t.period, t.matchRatePercent, t.mismatches])).toEqual([["2026-08", 100, 0], ["2026-09", 100, 0], ["2026-10", 80, 1]]);
    expect(health.worstCustomers[0]).toMatchObject({ period: "2026-10", status: "delta", deltaCents: BigInt(1300) });
    expect(health.totalAbsDeltaCents).toBeGreaterThanOrEqual(BigInt(1300));
    expect(health.openAlerts.map((a) => a.id)).toEqual([alert.id]);
    const report = await readinessReport(db(), service.id, { now: new Date("2026-11-10T00:00:00Z"), stripe: null });
    expect(report.months.map((m) => [m.period, m.reconciled])).toEqual([["2026-09", true], ["2026-10", false]]);
  }, 180_000);
});
