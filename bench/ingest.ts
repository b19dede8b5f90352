// npm run bench:ingest — sustained usage ingestion (POST /usage and /usage/batch over HTTP against the production
// server) versus this machine's raw PostgreSQL INSERT rate into the same table, with the ratio of the two.
// Target (issue 11): the batch path reaches at least 60 % of the raw multi-row INSERT rate. Both write the same table,
// so both pay its indexes and the hour-totals trigger (UsageRollupHour).
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createPrismaClient } from "../lib/db/prisma";
import { generateApiKey } from "../lib/services/api-keys";
import { openBenchEnvironment, rate, runPool, timed } from "./support";

const SINGLE_RECORDS = Number(process.env.BENCH_SINGLE ?? 3000);
const BATCH_SIZE = 1000;
const BATCH_RECORDS = Number(process.env.BENCH_BATCH_RECORDS ?? 100_000);
const HTTP_CONCURRENCY = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 8);
const BATCH_CONCURRENCY = Number(process.env.BENCH_BATCH_CONCURRENCY ?? 4);

const env = await openBenchEnvironment();
try {
  const prisma = createPrismaClient(env.databaseUrl);
  const key = generateApiKey();
  const service = await prisma.service.create({ data: { code: "bench", name: "Bench", mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } } });
  const metric = await prisma.billableMetric.create({ data: { serviceId: service.id, code: "bench_units", name: "Units", aggregation: "sum", fieldName: "units" } });
  const plan = await prisma.plan.create({ data: { serviceId: service.id, code: "bench_plan", name: "Bench", amountCents: BigInt(0), charges: { create: { billableMetricId: metric.id, code: "units", properties: { amount: "0.01" } } } } });
  const customer = await prisma.customer.create({ data: { legalName: "Bench Ltd.", province: "ON" } });
  await prisma.accountLink.create({ data: { serviceId: service.id, externalId: "bench-cus", customerId: customer.id } });
  const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1, 6));
  const subscriptions = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      prisma.subscription.create({
        data: { externalId: `bench-sub-${i}`, customerId: customer.id, serviceId: service.id, planId: plan.id, billingAnchorDate: monthStart, subscriptionAt: monthStart, startedAt: monthStart },
      }),
    ),
  );
  await prisma.$disconnect();

  const at = new Date(Math.max(monthStart.getTime() + 3_600_000, Date.now() - 3_600_000)).toISOString();
  const record = (prefix: string, i: number) => ({
    external_subscription_id: `bench-sub-${i % subscriptions.length}`,
    code: "bench_units",
    timestamp: at,
    value: String((i % 97) + 0.5),
    idempotency_key: `${prefix}-${i}`,
  });
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${env.server.baseUrl}/api/billing/v1${path}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };

  // Warm up the server (route compilation caches, connection pool).
  await runPool(200, HTTP_CONCURRENCY, (i) => post("/usage", { usage: record("warm", i) }));

  // Raw PostgreSQL: the same rows into the same table and indexes, straight from node-postgres, no HTTP, no checks.
  const pool = new pg.Pool({ connectionString: env.databaseUrl, max: Math.max(HTTP_CONCURRENCY, BATCH_CONCURRENCY) });
  // The same rows the API writes, column for column (one array per column), in the same kind of statement.
  const insertRows = async (prefix: string, from: number, count: number) => {
    const rows = Array.from({ length: count }, (_, j) => from + j);
    await pool.query(
      `INSERT INTO "UsageRollup" ("id","serviceId","subscriptionId","billableMetricId","periodStart","periodEnd","value","idempotencyKey")
       SELECT r.id, $1::uuid, r.sub, r.metric, r.ps, r.pe, r.val, r.key
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::timestamptz[], $6::timestamptz[], $7::numeric[], $8::text[]) AS r(id, sub, metric, ps, pe, val, key)
       ON CONFLICT ("serviceId","idempotencyKey") DO NOTHING`,
      [
        service.id,
        rows.map(() => randomUUID()),
        rows.map((i) => subscriptions[i % subscriptions.length].id),
        rows.map(() => metric.id),
        rows.map(() => at),
        rows.map(() => at),
        rows.map((i) => String((i % 97) + 0.5)),
        rows.map((i) => `${prefix}-${i}`),
      ],
    );
  };

  // API and raw runs alternate (the table grows as they go, which would otherwise favour whichever runs first); each
  // figure is the best of its rounds.
  const ROUNDS = 2;
  const batchesPerRound = Math.ceil(BATCH_RECORDS / BATCH_SIZE / ROUNDS);
  const best = { single: Infinity, rawSingle: Infinity, batch: Infinity, rawBatch: Infinity };
  for (let round = 0; round < ROUNDS; round++) {
    const offset = round * 10_000_000;
    best.single = Math.min(best.single, (await timed(() => runPool(SINGLE_RECORDS, HTTP_CONCURRENCY, (i) => post("/usage", { usage: record("single", offset + i) })))).seconds);
    best.rawSingle = Math.min(best.rawSingle, (await timed(() => runPool(SINGLE_RECORDS, HTTP_CONCURRENCY, (i) => insertRows("raw-single", offset + i, 1)))).seconds);
    best.batch = Math.min(best.batch, (await timed(() =>
      runPool(batchesPerRound, BATCH_CONCURRENCY, (b) =>
        post("/usage/batch", { usage: Array.from({ length: BATCH_SIZE }, (_, j) => record("batch", offset + b * BATCH_SIZE + j)) }),
      ))).seconds);
    best.rawBatch = Math.min(best.rawBatch, (await timed(() =>
      runPool(batchesPerRound, BATCH_CONCURRENCY, (b) => insertRows("raw-batch", offset + b * BATCH_SIZE, BATCH_SIZE)))).seconds);
  }
  const check = await pool.query(`SELECT count(*)::int AS n FROM "UsageRollup" WHERE "idempotencyKey" LIKE 'batch-%'`);
  await pool.end();
  const batches = batchesPerRound;
  if (check.rows[0].n !== ROUNDS * batches * BATCH_SIZE) throw new Error(`expected ${ROUNDS * batches * BATCH_SIZE} batch rows, found ${check.rows[0].n}`);
  const single = { seconds: best.single };
  const batch = { seconds: best.batch };
  const rawSingle = { seconds: best.rawSingle };
  const rawBatch = { seconds: best.rawBatch };

  const singleRate = rate(SINGLE_RECORDS, single.seconds);
  const batchRate = rate(batches * BATCH_SIZE, batch.seconds);
  const rawSingleRate = rate(SINGLE_RECORDS, rawSingle.seconds);
  const rawBatchRate = rate(batches * BATCH_SIZE, rawBatch.seconds);
  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`;
  console.log(`\nUsage ingestion (records/s, this machine, best of ${ROUNDS} alternating rounds)`);
  console.log(`  POST /usage, ${HTTP_CONCURRENCY} concurrent clients:        ${singleRate.toLocaleString("en-CA")} (${SINGLE_RECORDS} records in ${single.seconds.toFixed(2)} s)`);
  console.log(`  raw single-row INSERT, ${HTTP_CONCURRENCY} connections:      ${rawSingleRate.toLocaleString("en-CA")}`);
  console.log(`  POST /usage/batch (${BATCH_SIZE}/batch), ${BATCH_CONCURRENCY} clients:  ${batchRate.toLocaleString("en-CA")} (${batches * BATCH_SIZE} records in ${batch.seconds.toFixed(2)} s)`);
  console.log(`  raw ${BATCH_SIZE}-row INSERT, ${BATCH_CONCURRENCY} connections:       ${rawBatchRate.toLocaleString("en-CA")}`);
  console.log(`  ratio single API / raw single INSERT:  ${pct(singleRate, rawSingleRate)}`);
  console.log(`  ratio batch API / raw batch INSERT:    ${pct(batchRate, rawBatchRate)}   (target ≥ 60 %: ${batchRate / rawBatchRate >= 0.6 ? "met" : "NOT met"})`);
  console.log(`  ratio batch API / raw single INSERT:   ${pct(batchRate, rawSingleRate)}`);
} finally {
  await env.close();
}
