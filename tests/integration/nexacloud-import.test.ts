import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSourceConnection } from "@/lib/nexacloud/source-database";
import { createFixtureDatabase, createSelectOnlyRole, EDGE_USERS, FIXTURE_RECONCILED_MONTH, type FixtureManifest } from "@/lib/nexacloud/fixture";
import { executeImportRun, importNexaCloud, startImportRun, type ImportSummary } from "@/lib/nexacloud/importer";
import { reconcilePeriod } from "@/lib/nexacloud/reconciliation";
import { monthIsReconciled } from "@/lib/migration/reconciled-months";
import { SOURCE_TABLES } from "@/lib/nexacloud/source-schema";
import { loadSourceSettings, saveSourceSettings } from "@/lib/nexacloud/source-settings";
import { createFreshDatabase, queryDatabase } from "../support/test-database";
import { testDb, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";
import { testEnv } from "../support/env";

const db = testDb;
let fixture: Awaited<ReturnType<typeof createFixtureDatabase>>;
let manifest: FixtureManifest;
/** DSN of a role that may only SELECT: all the importer ever gets. */
let readerDsn: string;
let service: { id: string; code: string };
let staffId: string;
let firstRun: ImportSummary;

function sourceQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], url = fixture.url): Promise<T[]> {
  return queryDatabase<T>(url, sql, params);
}

async function sourceCounts() {
  const counts: Record<string, number> = {};
  for (const table of Object.keys(SOURCE_TABLES)) counts[table] = Number((await sourceQuery<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0].n);
  return counts;
}

/** Everything the importer may write for the service, as stored (updatedAt included: an untouched row keeps it). */
async function importedState() {
  const where = { serviceId: service.id };
  const [links, plans, subscriptions, rollups] = await Promise.all([
    db().accountLink.findMany({ where, include: { customer: true }, orderBy: { externalId: "asc" } }),
    db().plan.findMany({ where, orderBy: { code: "asc" } }),
    db().subscription.findMany({ where, include: { charges: true }, orderBy: { externalId: "asc" } }),
    db().usageRollup.findMany({ where, orderBy: { idempotencyKey: "asc" } }),
  ]);
  const orphanCustomers = Number((await db().$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM "Customer" c WHERE c.metadata->'nexacloud'->>'userId' IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM "AccountLink" l WHERE l."customerId" = c.id)`)[0].n);
  return JSON.parse(JSON.stringify({ links, plans, subscriptions, rollups, orphanCustomers }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

async function countsForService() {
  const where = { serviceId: service.id };
  return {
    links: await db().accountLink.count({ where }),
    plans: await db().plan.count({ where }),
    subscriptions: await db().subscription.count({ where }),
    charges: await db().charge.count({ where: { subscription: where } }),
    rollups: await db().usageRollup.count({ where }),
    runs: 0,
  };
}

function expectedCounts(m: FixtureManifest) {
  const all = [...Object.values(m.outcomes.plans), ...Object.values(m.outcomes.users), ...Object.values(m.outcomes.subscriptions), ...Object.values(m.outcomes.usage)];
  return { created: all.filter((o) => o === "created").length, skipped: all.filter((o) => o === "skipped").length, failed: all.filter((o) => o === "failed").length };
}

beforeAll(async () => {
  fixture = await createFixtureDatabase(testEnv.adminUrl, { seed: 7, users: 300, prefix: "nexacloud_it" });
  manifest = fixture.manifest;
  readerDsn = await createSelectOnlyRole(fixture.url);
  const s = uniqueSuffix();
  service = await db().service.create({ data: { code: `nxc_${s}`, name: `Test NexaCloud ${s}`, mode: "shadow" } });
  staffId = await seededStaffId();
});

afterAll(async () => {
  await db().$disconnect().catch(() => {});
});

describe("NexaCloud importer", () => {
  it("tests the connection: reachable, expected tables and columns, row counts, read-only with a SELECT-only role", async () => {
    const check = await checkSourceConnection(readerDsn);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.readOnly).toBe(true);
    const counts = await sourceCounts();
    expect(Object.fromEntries(check.tables.map((t) => [t.table, t.rows]))).toEqual(counts);
    expect(counts.users).toBe(300);

    // The role really cannot write: NexaCloud stays untouched whatever the importer does.
    await expect(sourceQuery("UPDATE users SET name = name WHERE id = 1", [], readerDsn)).rejects.toThrow(/permission denied/);
    await expect(sourceQuery("CREATE TABLE nexa_probe (id int)", [], readerDsn)).rejects.toThrow(/permission denied/);

    const unreachable = await checkSourceConnection("postgresql://nobody:x@127.0.0.1:1/nowhere");
    expect(unreachable.ok).toBe(false);
    expect(unreachable.problems[0]).toMatch(/Cannot reach NexaCloud at postgresql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/nowhere/);

    const partialUrl = await createFreshDatabase(testEnv.adminUrl, "nexacloud_partial");
    await sourceQuery("CREATE TABLE users (id bigint, email text)", [], partialUrl);
    const partial = await checkSourceConnection(partialUrl);
    expect(partial.ok).toBe(false);
    expect(partial.problems).toContain("Table users lacks name, company, province, country, created_at, stripe_customer_id.");
    expect(partial.problems).toContain("Table plans is missing.");
  });

  it("dry run computes every bucket, records the run and writes nothing (row counts before and after)", async () => {
    const before = await countsForService();
    const sourceBefore = await sourceCounts();
    const runId = await startImportRun(db(), { dryRun: true, startedById: staffId, serviceId: service.id });
    const summary = await executeImportRun(db(), runId, { dsn: readerDsn, serviceId: service.id, dryRun: true });
    expect(summary).not.toBeNull();
    const expected = expectedCounts(manifest);
    expect(summary!.counts).toEqual({ ...expected, updated: 0, unchanged: 0 });
    expect(await countsForService()).toEqual(before);
    expect(before.links + before.subscriptions + before.rollups).toBe(0);
    expect(await sourceCounts()).toEqual(sourceBefore);

    const run = await db().importRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ dryRun: true, status: "succeeded", createdCount: expected.created, failedCount: expected.failed, skippedCount: expected.skipped, processedRows: run.totalRows });
    const log = run.log as { level: string; entity: string; sourceId: string; message: string }[];
    expect(log[0].message).toMatch(/^Dry run \(rolled back\) finished/);
    expect(log).toContainEqual(expect.objectContaining({ level: "error", entity: "user", sourceId: String(EDGE_USERS.noName), message: "The user has neither a name nor a company." }));
  });

  it("real run puts each edge case in its bucket, shadow-safe, with no payment method", async () => {
    const runId = await startImportRun(db(), { dryRun: false, startedById: staffId, serviceId: service.id });
    firstRun = (await executeImportRun(db(), runId, { dsn: readerDsn, serviceId: service.id, dryRun: false }))!;
    const expected = expectedCounts(manifest);
    expect(firstRun.counts).toEqual({ ...expected, updated: 0, unchanged: 0 });
    for (const [entity, outcomes] of [["plan", manifest.outcomes.plans], ["user", manifest.outcomes.users], ["subscription", manifest.outcomes.subscriptions], ["usage", manifest.outcomes.usage]] as const) {
      for (const [id, outcome] of Object.entries(outcomes)) expect(`${entity}:${id} ${firstRun.outcomes.get(`${entity}:${id}`)}`).toBe(`${entity}:${id} ${outcome}`);
    }
    const log = firstRun.log;
    const entry = (entity: string, sourceId: number | string) => log.filter((e) => e.entity === entity && e.sourceId === String(sourceId)).map((e) => `${e.level}: ${e.message}`);
    expect(entry("subscription", EDGE_USERS.noPlan * 10 + 1)).toEqual(["info: No plan (NexaCloud's free tier): nothing to bill."]);
    expect(entry("subscription", EDGE_USERS.unknownPlan * 10 + 1)).toEqual(["error: Unknown plan id 99."]);
    expect(entry("subscription", EDGE_USERS.noName * 10 + 1)).toEqual([`info: User ${EDGE_USERS.noName} was not imported.`]);
    expect(entry("user", EDGE_USERS.duplicateEmail)[0]).toMatch(/^warning: Shares its e-mail with NexaCloud user 1: imported as a separate customer/);
    expect(entry("user", EDGE_USERS.missingProvince)).toEqual(["warning: No province: Canadian tax cannot be computed, so its shadow invoices are held until one is set."]);
    expect(entry("user", EDGE_USERS.outsideCanada)).toEqual([]);
    for (const id of manifest.duplicateEmailUserIds) expect(`${id}: ${entry("user", id).join()}`).toMatch(/^\d+: warning: Shares its e-mail/);
    for (const id of manifest.missingProvinceUserIds) expect(`${id}: ${entry("user", id).join()}`).toMatch(/No province/);
    expect(log.filter((e) => e.entity === "usage" && e.level === "error").map((e) => e.message)).toEqual(["CPU hours is negative (-3.00)."]);

    // Duplicate e-mails stay two customers; the province stays empty.
    const linkOf = async (userId: number) => db().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: service.id, externalId: String(userId) } }, include: { customer: true } });
    const [first, duplicate, noProvince] = await Promise.all([linkOf(1), linkOf(EDGE_USERS.duplicateEmail), linkOf(EDGE_USERS.missingProvince)]);
    expect(duplicate.customerId).not.toBe(first.customerId);
    expect(duplicate.customer.email!.toLowerCase()).toBe(first.customer.email!.toLowerCase());
    expect(noProvince.customer.province).toBeNull();

    // Shadow-safe: shadow subscriptions, no Stripe customer as a payment method, usage charges on no plan.
    const subs = await db().subscription.findMany({ where: { serviceId: service.id }, include: { charges: true, customer: true, plan: true } });
    expect(subs.length).toBe(Object.values(manifest.outcomes.subscriptions).filter((o) => o === "created").length);
    for (const sub of subs) {
      expect(sub.shadow).toBe(true);
      expect(sub.customer.stripeCustomerId).toBeNull();
      expect(sub.charges).toHaveLength(1);
      expect(sub.charges[0].planId).toBeNull();
      expect(sub.plan!.serviceId).toBe(service.id);
      expect(await db().charge.count({ where: { planId: sub.planId } })).toBe(0);
    }
    const stripeIds = await sourceQuery<{ id: string; stripe_customer_id: string | null }>("SELECT id::text, stripe_customer_id FROM users WHERE id = 1");
    expect((first.customer.metadata as { nexacloud: { stripeCustomerId: string | null } }).nexacloud.stripeCustomerId).toBe(stripeIds[0].stripe_customer_id);

    const canceled = subs.find((s) => s.externalId === String(EDGE_USERS.canceledMidMonth * 10 + 1))!;
    expect(canceled).toMatchObject({ status: "terminated", terminatedAt: new Date("2026-09-15T12:00:00Z"), nextBillingAt: null });
    expect(canceled.charges[0]).toMatchObject({ chargeModel: "standard", properties: { amount: "0.000008" } });
    expect(canceled.charges[0].includedQuantity.toString()).toBe("1800000");

    // Usage: NexaCloud CPU hours as seconds.
    const [usageRow] = await sourceQuery<{ id: string; cpu_hours: string }>("SELECT u.id::text, u.cpu_hours::text FROM usage u JOIN deployments d ON d.id = u.deployment_id WHERE d.user_id = 2 AND u.period = '2026-09' ORDER BY u.id LIMIT 1");
    const rollup = await db().usageRollup.findUniqueOrThrow({ where: { serviceId_idempotencyKey: { serviceId: service.id, idempotencyKey: `nexacloud:usage:${usageRow.id}` } } });
    expect(rollup.value.toString()).toBe(String(Number(usageRow.cpu_hours) * 3600));
    expect(rollup.periodStart).toEqual(new Date("2026-09-01T00:00:00Z"));
  });

  it("a second real run changes nothing and duplicates nothing", async () => {
    const before = await importedState();
    const runId = await startImportRun(db(), { dryRun: false, startedById: staffId, serviceId: service.id });
    const again = (await executeImportRun(db(), runId, { dsn: readerDsn, serviceId: service.id, dryRun: false }))!;
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: firstRun.counts.created, skipped: firstRun.counts.skipped, failed: firstRun.counts.failed });
    expect(await importedState()).toEqual(before);
  });

  it("updates a row changed at the source, and refuses to import into a live service", async () => {
    const admin = new pg.Client({ connectionString: fixture.url });
    await admin.connect();
    await admin.query("UPDATE users SET company = 'Renamed Robotics' WHERE id = 1");
    await admin.end();
    const summary = await importNexaCloud(db(), { dsn: readerDsn, serviceId: service.id, dryRun: false });
    expect(summary.byEntity.user.updated).toBe(1);
    expect(summary.counts.updated).toBe(1);
    const link = await db().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: service.id, externalId: "1" } }, include: { customer: true } });
    expect(link.customer.legalName).toBe("Renamed Robotics");

    const live = await db().service.create({ data: { code: `nxc_live_${uniqueSuffix()}`, name: "Test live target", mode: "live" } });
    const refusal = await domainRefusal(importNexaCloud(db(), { dsn: readerDsn, serviceId: live.id, dryRun: true }));
    expect(refusal.code).toBe("service_not_shadow");
    expect(await db().accountLink.count({ where: { serviceId: live.id } })).toBe(0);
  });
  it("isolates rows: when a row fails while its chunk is written, the chunk is replayed row by row and only that row fails", async () => {
    const other = await db().service.create({ data: { code: `nxc_iso_${uniqueSuffix()}`, name: "Test NexaCloud isolation", mode: "shadow" } });
    // Plan 3's code is already taken by a catalog plan: its write fails inside the plans' chunk, after plans 1 and 2.
    await db().plan.create({ data: { code: `${other.code}_legacy_3`, name: "Test squatter", amountCents: BigInt(0) } });
    const summary = await importNexaCloud(db(), { dsn: readerDsn, serviceId: other.id, dryRun: false });
    expect(summary.byEntity.plan).toEqual({ created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 1 });
    expect(summary.log).toContainEqual(expect.objectContaining({ entity: "plan", sourceId: "3", outcome: "failed", message: `Plan code ${other.code}_legacy_3 is already used by another plan.` }));
    expect((await db().plan.findMany({ where: { serviceId: other.id } })).map((p) => p.code).sort()).toEqual([`${other.code}_legacy_1`, `${other.code}_legacy_2`]);
    // Subscriptions on plan 3 fail alone; the others are imported once.
    const onPlan3 = (await sourceQuery<{ id: string }>("SELECT id::text FROM subscriptions WHERE plan_id = 3")).map((r) => r.id);
    for (const id of onPlan3) if (manifest.outcomes.subscriptions[Number(id)] === "created") expect(summary.outcomes.get(`subscription:${id}`)).toBe("failed");
    const expectedSubs = Object.entries(manifest.outcomes.subscriptions).filter(([id, o]) => o === "created" && !onPlan3.includes(id)).length;
    expect(await db().subscription.count({ where: { serviceId: other.id } })).toBe(expectedSubs);
  });
});

describe("NexaCloud source settings", () => {
  it("stores the DSN encrypted, shows it redacted, lets NEXACLOUD_DATABASE_URL override it and refuses a live service or a bad DSN", async () => {
    await saveSourceSettings(db(), { dsn: readerDsn, serviceId: service.id, toleranceCents: BigInt(3), tolerancePercent: "0.25" });
    const row = await db().nexaCloudSource.findUniqueOrThrow({ where: { id: 1 } });
    const password = new URL(readerDsn).password;
    expect(row.dsnEncrypted).not.toContain(password);
    const settings = await loadSourceSettings(db());
    expect(settings).toMatchObject({ dsn: readerDsn, dsnOrigin: "settings", toleranceCents: BigInt(3), tolerancePercent: "0.25", service: { id: service.id } });
    expect(settings.dsnDisplay).toBe(readerDsn.replace(`:${password}@`, ":***@"));

    // Saving without a DSN keeps the stored one.
    await saveSourceSettings(db(), { serviceId: service.id, toleranceCents: BigInt(1), tolerancePercent: "0" });
    expect((await loadSourceSettings(db())).dsn).toBe(readerDsn);

    process.env.NEXACLOUD_DATABASE_URL = "postgresql://env:pw@example.internal/nexacloud";
    try {
      expect(await loadSourceSettings(db())).toMatchObject({ dsn: "postgresql://env:pw@example.internal/nexacloud", dsnOrigin: "env" });
    } finally {
      delete process.env.NEXACLOUD_DATABASE_URL;
    }

    const live = await db().service.create({ data: { code: `nxc_live_settings_${uniqueSuffix()}`, name: "Test live settings", mode: "live" } });
    expect((await domainRefusal(saveSourceSettings(db(), { serviceId: live.id, toleranceCents: BigInt(1), tolerancePercent: "0" }))).details).toEqual({ service_id: ["service_not_shadow"] });
    expect((await domainRefusal(saveSourceSettings(db(), { dsn: "mysql://x@y/z", serviceId: service.id, toleranceCents: BigInt(1), tolerancePercent: "0" }))).details).toEqual({ dsn: ["invalid_dsn"] });
    expect((await loadSourceSettings(db())).service?.id).toBe(service.id);
  });
});

describe("NexaCloud reconciliation", () => {
  const tolerance = { cents: BigInt(1), percent: "0" };

  it("reconciles the seeded month: match, delta and error counts and every delta to the cent", async () => {
    const sourceBefore = await sourceCounts();
    const summary = await reconcilePeriod(db(), { dsn: readerDsn, serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, tolerance });
    const expected = Object.entries(manifest.reconciliation);
    expect({ match: summary.match, delta: summary.delta, error: summary.error }).toEqual({
      match: expected.filter(([, e]) => e.status === "match").length,
      delta: expected.filter(([, e]) => e.status === "delta").length,
      error: expected.filter(([, e]) => e.status === "error").length,
    });
    expect(summary.error).toBeGreaterThan(0);
    expect(summary.delta).toBeGreaterThan(0);
    expect(summary.unlinked.map((u) => Number(u.userId))).toEqual(manifest.unlinkedUserIds);

    const rows = await db().reconciliation.findMany({ where: { serviceId: service.id, period: FIXTURE_RECONCILED_MONTH }, include: { customer: { include: { accountLinks: true } } } });
    expect(rows).toHaveLength(expected.length);
    const byUser = new Map(rows.map((r) => [r.customer.accountLinks.find((l) => l.serviceId === service.id)!.externalId, r]));
    for (const [userId, e] of expected) {
      const row = byUser.get(userId)!;
      const actual = { status: row.status, deltaCents: row.deltaCents === null ? null : Number(row.deltaCents), computedCents: row.computedCents === null ? null : Number(row.computedCents), externalCents: Number(row.externalCents) };
      expect({ userId, ...actual }).toEqual({ userId, ...e });
    }
    // The named cases, to the cent.
    expect(Number(byUser.get(String(EDGE_USERS.canceledMidMonth))!.deltaCents)).toBe(-2450); // 15/30 of $49 vs the whole fee
    expect(Number(byUser.get(String(EDGE_USERS.loyaltyCredit))!.deltaCents)).toBe(500);
    expect(byUser.get(String(EDGE_USERS.centOff))!).toMatchObject({ status: "match", deltaCents: BigInt(-1) });
    expect(byUser.get(String(EDGE_USERS.overage))!).toMatchObject({ status: "match", computedCents: BigInt(1544) });
    const error = byUser.get(String(EDGE_USERS.unknownPlan))!;
    expect(error.note).toMatch(/^No imported subscription covers 2026-09, but NexaCloud invoiced 1 item/);
    const details = byUser.get(String(EDGE_USERS.canceledMidMonth))!.details as { computed: { kind: string; amountCents: string; detail?: string }[]; external: { subtotalCents: string }[] };
    expect(details.computed[0]).toMatchObject({ kind: "subscription_fee", amountCents: "2450", detail: "15/30 days (2026-09-01 to 2026-09-15)" });
    expect(details.external[0].subtotalCents).toBe("4900");

    // Upserted: a second run keeps one row per customer and month; NexaCloud is untouched.
    await reconcilePeriod(db(), { dsn: readerDsn, serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, tolerance });
    expect(await db().reconciliation.count({ where: { serviceId: service.id, period: FIXTURE_RECONCILED_MONTH } })).toBe(expected.length);
    expect(await sourceCounts()).toEqual(sourceBefore);
  }, 180_000); // two reconciliations of 300 customers: minutes on a loaded machine

  it("a percentage tolerance turns small deltas into matches", async () => {
    const summary = await reconcilePeriod(db(), { dsn: readerDsn, serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, tolerance: { cents: BigInt(0), percent: "12" } });
    const row = await db().reconciliation.findFirstOrThrow({ where: { serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, customer: { accountLinks: { some: { serviceId: service.id, externalId: String(EDGE_USERS.loyaltyCredit) } } } } });
    expect(row).toMatchObject({ status: "match", deltaCents: BigInt(500), note: "Within tolerance." }); // 500 ≤ 12 % of 4400
    const cancel = await db().reconciliation.findFirstOrThrow({ where: { serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, customer: { accountLinks: { some: { serviceId: service.id, externalId: String(EDGE_USERS.canceledMidMonth) } } } } });
    expect(cancel.status).toBe("delta");
    expect(summary.match).toBeGreaterThan(Object.values(manifest.reconciliation).filter((e) => e.status === "match").length);
  });

  it("a row that cannot be computed is an error with its reason, and the others are still reconciled", async () => {
    const link = await db().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: service.id, externalId: String(EDGE_USERS.underIncluded) } } });
    const sub = await db().subscription.findFirstOrThrow({ where: { serviceId: service.id, customerId: link.customerId } });
    const yearly = await db().plan.create({ data: { serviceId: service.id, code: `nxc_yearly_${uniqueSuffix()}`, name: "Test yearly", interval: "yearly", amountCents: BigInt(10000) } });
    await db().subscription.update({ where: { id: sub.id }, data: { planId: yearly.id } });
    try {
      const summary = await reconcilePeriod(db(), { dsn: readerDsn, serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, tolerance });
      const expected = Object.values(manifest.reconciliation);
      expect(summary.rows).toBe(expected.length);
      expect(summary.error).toBe(expected.filter((e) => e.status === "error").length + 1);
      const row = await db().reconciliation.findUniqueOrThrow({ where: { serviceId_customerId_period: { serviceId: service.id, customerId: link.customerId, period: FIXTURE_RECONCILED_MONTH } } });
      expect(row).toMatchObject({ status: "error", computedCents: null, deltaCents: null, externalCents: BigInt(manifest.reconciliation[EDGE_USERS.underIncluded].externalCents) });
      expect(row.note).toBe(`Cannot compute: Subscription ${sub.externalId}'s plan ${yearly.code} is not monthly.`);
    } finally {
      await db().subscription.update({ where: { id: sub.id }, data: { planId: sub.planId } });
    }
  });

  it("a customer with one imported and one failed subscription in the month is an error naming the failed one and its import failure, never a delta", async () => {
    const userId = EDGE_USERS.overage; // its own subscription imports and matches
    const failedSubId = 9_000_001;
    const admin = new pg.Client({ connectionString: fixture.url });
    await admin.connect();
    try {
      await admin.query(`INSERT INTO subscriptions (id, user_id, plan_id, status, started_at, canceled_at, current_period_start, current_period_end)
                         VALUES ($1, $2, 99, 'active', '2026-05-03T10:00:00Z', NULL, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')`, [failedSubId, userId]);
      await admin.query(`INSERT INTO invoices (id, user_id, period, status, created_at) VALUES (9000001, $1, '2026-09', 'paid', '2026-10-01T00:00:00Z')`, [userId]);
      await admin.query(`INSERT INTO invoice_items (id, invoice_id, user_id, period, description, subtotal_cents) VALUES (90000010, 9000001, $1, '2026-09', 'Legacy Hobby — monthly fee', 2900)`, [userId]);
      const runId = await startImportRun(db(), { dryRun: false, startedById: staffId, serviceId: service.id });
      const imported = (await executeImportRun(db(), runId, { dsn: readerDsn, serviceId: service.id, dryRun: false }))!;
      expect(imported.outcomes.get(`subscription:${failedSubId}`)).toBe("failed");

      await reconcilePeriod(db(), { dsn: readerDsn, serviceId: service.id, period: FIXTURE_RECONCILED_MONTH, tolerance });
      const link = await db().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: service.id, externalId: String(userId) } } });
      const row = await db().reconciliation.findUniqueOrThrow({ where: { serviceId_customerId_period: { serviceId: service.id, customerId: link.customerId, period: FIXTURE_RECONCILED_MONTH } } });
      // What was imported is still computed (1544 ¢, as before), but the month cannot be compared: no delta.
      expect(row).toMatchObject({ status: "error", computedCents: BigInt(1544), deltaCents: null, externalCents: BigInt(1544 + 2900) });
      expect(row.note).toBe(`NexaCloud subscription ${failedSubId} was invoiced for ${FIXTURE_RECONCILED_MONTH} but failed to import: Unknown plan id 99.`);
      expect((row.details as { missingSubscriptions?: unknown }).missingSubscriptions).toEqual([{ externalId: String(failedSubId), reason: "Unknown plan id 99.", importRunId: runId }]);
      expect(monthIsReconciled([row])).toBe(false);
    } finally {
      await admin.query("DELETE FROM invoice_items WHERE id = 90000010").catch(() => {});
      await admin.query("DELETE FROM invoices WHERE id = 9000001").catch(() => {});
      await admin.query("DELETE FROM subscriptions WHERE id = $1", [failedSubId]).catch(() => {});
      await admin.end();
    }
  });

  it("refuses a malformed month", async () => {
    const refusal = await domainRefusal(reconcilePeriod(db(), { dsn: readerDsn, serviceId: service.id, period: "2026-13", tolerance }));
    expect(refusal.details).toEqual({ period: ["invalid_period"] });
  });
});
