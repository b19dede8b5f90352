// npm run bench:invoice-run — times the period close for generated subscriptions (default 10,000, 100,000 and 300,000;
// set BENCH_SIZES=2000,10000 to choose) and prints invoices/s and how the time grows with size, beside a reference
// measured in the same run on the same database: raw SQL writing the same numbers of invoices, lines, taxes and
// audit entries with server-side INSERT … SELECT, no rating and no round trips. Target (issue 11): 100k subscriptions
// in under 20 s. The machine is shared: the load average is printed with the figures, and so is the CPU time each side
// used (this Node process, and the PostgreSQL backends when the server runs on this machine), which load does not inflate.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import pg from "pg";
import { applyMigrations } from "../lib/db/migrations";
import { createPrismaClient } from "../lib/db/prisma";
import { APP_NODE_FLAGS } from "../lib/runtime/app-node-flags";
import { BILLING_CHUNK_SIZE, BILLING_CONCURRENCY, runBillingCycle } from "../lib/invoicing/billing-run";
import { openTestCluster } from "../tests/support/test-database";
import { backendCpuSeconds, cpuBetween, timed } from "./support";

// The close runs in this process, as in the app's job worker: with the app's Node flags (re-run with them if missing).
if (!APP_NODE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  const rerun = spawnSync(process.execPath, [...APP_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(rerun.status ?? 1);
}

const sizes = (process.env.BENCH_SIZES ?? "10000,100000,300000").split(",").map(Number);
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const PERIOD_START = new Date("2026-10-01T04:00:00Z");
const CLOSE_AT = new Date("2026-11-01T12:00:00Z");
const BOUNDARY = new Date("2026-11-01T04:00:00Z");
const PROVINCES = ["ON", "QC", "BC", "AB", "NS", "MB"];

const cluster = await openTestCluster();
try {
  const results: { size: number; seconds: number; invoices: number; reference: number; load: string; nodeCpu: number; pgCpu: number | null; referencePgCpu: number | null }[] = [];
  for (const size of sizes) {
    const url = await cluster.createDatabase("nexa_bench_invoices");
    await applyMigrations(url);
    const prisma = createPrismaClient(url);
    const appBackends = async () =>
      backendCpuSeconds((await prisma.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`).map((r) => r.pid));
    await prisma.companyProfile.create({ data: { legalName: "Nexa Technologies Inc.", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001", bcPstNumber: "PST-1" } });
    const service = await prisma.service.create({ data: { code: "bench", name: "Bench", mode: "live" } });
    const metric = await prisma.billableMetric.create({ data: { code: "gb_hours", name: "GB-hours", aggregation: "sum", fieldName: "gb" } });
    const plan = await prisma.plan.create({
      data: {
        code: "bench_plan", name: "Bench plan", amountCents: BigInt(2500),
        charges: { create: { billableMetricId: metric.id, code: "gb_hours", chargeModel: "graduated", includedQuantity: 100,
          properties: { graduated_ranges: [{ from_value: 0, to_value: 1000, per_unit_amount: "0.01", flat_amount: "0" }, { from_value: 1001, to_value: null, per_unit_amount: "0.005", flat_amount: "1" }] } } },
      },
    });

    // Generated straight into PostgreSQL (the API path is measured by bench/ingest): one customer, subscription and
    // usage rollup per row.
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    const seed = await timed(async () => {
      for (let from = 0; from < size; from += 5000) {
        const n = Math.min(5000, size - from);
        const ids = Array.from({ length: n }, () => [randomUUID(), randomUUID(), randomUUID()]);
        await pool.query(
          `INSERT INTO "Customer" (id, "legalName", province, country, currency, timezone, "updatedAt")
           SELECT c, 'Customer ' || i, p, 'CA', 'CAD', 'America/Toronto', now() FROM unnest($1::uuid[], $2::int[], $3::text[]) AS t(c, i, p)`,
          [ids.map((x) => x[0]), ids.map((_, i) => from + i), ids.map((_, i) => PROVINCES[(from + i) % PROVINCES.length])],
        );
        await pool.query(
          `INSERT INTO "Subscription" (id, "externalId", "customerId", "serviceId", "planId", status, "billingTime", "billingAnchorDate", "subscriptionAt", "startedAt", "nextBillingAt", "updatedAt")
           SELECT s, 'sub-' || i, c, $3, $4, 'active', 'calendar', $5, $5, $5, $6, now() FROM unnest($1::uuid[], $2::uuid[], $7::int[]) AS t(s, c, i)`,
          [ids.map((x) => x[1]), ids.map((x) => x[0]), service.id, plan.id, PERIOD_START, BOUNDARY, ids.map((_, i) => from + i)],
        );
        await pool.query(
          `INSERT INTO "UsageRollup" (id, "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", value, "idempotencyKey")
           SELECT r, $2, s, $3, $4, $4, (i % 2000)::numeric + 0.5, 'k-' || i FROM unnest($1::uuid[], $5::uuid[], $6::int[]) AS t(r, s, i)`,
          [ids.map((x) => x[2]), service.id, metric.id, new Date("2026-10-15T12:00:00Z"), ids.map((x) => x[1]), ids.map((_, i) => from + i)],
        );
      }
    });
    // A live database has planner statistics (autovacuum analyses tables as they grow); rows inserted a moment ago have
    // none, and without them PostgreSQL plans the close's lookups as scans of whole tables.
    await pool.query("ANALYZE");
    await pool.end();
    // Connections the pool opens during the run count from zero.
    const cpuBefore = await appBackends();
    const nodeBefore = process.cpuUsage();
    // The app's defaults unless BENCH_CONCURRENCY / BENCH_CHUNK say otherwise.
    const run = await timed(() => runBillingCycle(prisma, CLOSE_AT, { concurrency: Number(process.env.BENCH_CONCURRENCY ?? BILLING_CONCURRENCY), chunkSize: Number(process.env.BENCH_CHUNK ?? BILLING_CHUNK_SIZE) }));
    if (run.result.failures.length) throw new Error(`billing failures: ${JSON.stringify(run.result.failures.slice(0, 3))}`);
    const nodeUsed = process.cpuUsage(nodeBefore);
    const pgCpu = cpuBetween(cpuBefore, await appBackends());
    const loadAfterRun = load();
    const invoices = await prisma.invoice.count();
    if (invoices !== size) throw new Error(`expected ${size} invoices, found ${invoices}`);
    const counts = await prisma.$queryRaw<{ lines: bigint; taxes: bigint }[]>`SELECT (SELECT count(*) FROM "InvoiceLine") AS lines, (SELECT count(*) FROM "InvoiceTax") AS taxes`;
    await prisma.$disconnect();
    // Reference: the same numbers of rows written by PostgreSQL alone, from generate_series (no rating, no JSON, no client).
    const ref = new pg.Client({ connectionString: url });
    await ref.connect();
    const refBackend = async () => backendCpuSeconds([(await ref.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0].pid]);
    const refCpuBefore = await refBackend();
    const reference = await timed(async () => {
      const [{ c }] = (await ref.query(`SELECT id AS c FROM "Customer" LIMIT 1`)).rows;
      await ref.query("BEGIN");
      await ref.query(
        `INSERT INTO "Invoice" (id, number, "customerId", "serviceId", "billingKey", "periodStart", "periodEnd", "issuingDate", "subtotalCents", "taxesCents", "totalCents", status, "finalizedAt", "paymentDueDate", "billedTo", seller, "updatedAt")
         SELECT gen_random_uuid(), 'REF-' || g, $1, $2, 'ref-' || g, $3, $4, '2026-11-01', 3000, 390, 3390, 'finalized', now(), '2026-12-01', '{"legalName":"x"}', '{"legalName":"y"}', now()
           FROM generate_series(1, $5::int) g`,
        [c, service.id, PERIOD_START, BOUNDARY, size],
      );
      await ref.query(
        `INSERT INTO "InvoiceLine" (id, "invoiceId", "subscriptionId", kind, description, quantity, "amountCents", details, "periodStart", "periodEnd", position)
         SELECT gen_random_uuid(), i.id, NULL, 'usage_charge', 'GB-hours', 1234.5, 500, '{"model":"graduated"}', $1, $2, k
           FROM "Invoice" i CROSS JOIN generate_series(0, $3::int - 1) k WHERE i.number LIKE 'REF-%'`,
        [PERIOD_START, BOUNDARY, Math.round(Number(counts[0].lines) / size)],
      );
      await ref.query(
        `INSERT INTO "InvoiceTax" (id, "invoiceId", code, name, rate, "taxableAmountCents", "amountCents")
         SELECT gen_random_uuid(), i.id, 'HST', 'HST', 13, 3000, 390 FROM "Invoice" i CROSS JOIN generate_series(1, $1::int) k WHERE i.number LIKE 'REF-%'`,
        [Math.round(Number(counts[0].taxes) / size)],
      );
      await ref.query(`INSERT INTO "AuditLog" (id, "actorType", action, "entityType", "entityId") SELECT gen_random_uuid(), 'system', 'invoice.finalized', 'Invoice', id FROM "Invoice" WHERE number LIKE 'REF-%'`);
      await ref.query("ROLLBACK");
    });
    const referencePgCpu = cpuBetween(refCpuBefore, await refBackend());
    await ref.end();
    results.push({ size, seconds: run.seconds, invoices, reference: reference.seconds, load: loadAfterRun, nodeCpu: (nodeUsed.user + nodeUsed.system) / 1e6, pgCpu, referencePgCpu });
    console.log(`  ${size.toLocaleString("en-CA")} subscriptions: data generated in ${seed.seconds.toFixed(1)} s, period close ${run.seconds.toFixed(1)} s → ${Math.round(invoices / run.seconds).toLocaleString("en-CA")} invoices/s; raw SQL writing the same rows ${reference.seconds.toFixed(1)} s; load average ${loadAfterRun}`);
  }
  console.log(`\nPeriod close (one invoice per subscription, graduated usage charge, Canadian tax, finalized and numbered; chunks of ${process.env.BENCH_CHUNK ?? BILLING_CHUNK_SIZE}, ${process.env.BENCH_CONCURRENCY ?? BILLING_CONCURRENCY} at a time; Node ${APP_NODE_FLAGS.join(" ")})`);
  const cpu = (seconds: number | null) => (seconds === null ? "n/a" : `${seconds.toFixed(1)} s`);
  console.log(`  ${"size".padStart(8)}  ${"close".padStart(8)}  ${"invoices/s".padStart(10)}  ${"raw SQL ref".padStart(11)}  ${"close/ref".padStart(9)}  ${"CPU: Node".padStart(9)}  ${"PostgreSQL".padStart(10)}  ${"ref PostgreSQL".padStart(14)}  load average (1, 5, 15 min)`);
  for (const r of results) {
    console.log(`  ${r.size.toLocaleString("en-CA").padStart(8)}  ${(r.seconds.toFixed(1) + " s").padStart(8)}  ${Math.round(r.invoices / r.seconds).toLocaleString("en-CA").padStart(10)}  ${(r.reference.toFixed(1) + " s").padStart(11)}  ${(r.seconds / r.reference).toFixed(1).padStart(8)}×  ${cpu(r.nodeCpu).padStart(9)}  ${cpu(r.pgCpu).padStart(10)}  ${cpu(r.referencePgCpu).padStart(14)}  ${r.load}`);
  }
  for (let i = 1; i < results.length; i++) {
    const growth = results[i].seconds / results[i - 1].seconds;
    console.log(`  ${results[i - 1].size.toLocaleString("en-CA")} → ${results[i].size.toLocaleString("en-CA")}: time × ${growth.toFixed(2)} for size × ${(results[i].size / results[i - 1].size).toFixed(0)}`);
  }
  const largest = results.find((r) => r.size === 100_000);
  if (largest) console.log(`  target 100k < 20 s: ${largest.seconds < 20 ? "met" : "NOT met"} (${largest.seconds.toFixed(1)} s, load average ${largest.load})`);
} finally {
  await cluster.stop();
}
