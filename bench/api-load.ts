// npm run bench:api-load — the inbound API under concurrent load, on the production build (`next start`), driven by
// autocannon at 50 and 200 connections. The reference, measured in the same run against the same database, is a bare
// node:http handler doing the same API-key lookup + one INSERT (bench/bare-usage-server.ts). Prints answers/s, p50/p99,
// error counts and how many connections got an answer per route, the app's no-database floor (401 for a missing key)
// as a share of the bare handler, and POST /usage as a share of the floor.
// Targets (issue 11): no 5xx at 200 connections; POST /usage ≥ 60 % of the floor with p99 ≤ 2× the floor's;
// current_usage (≥ 100k rollups in the period) within 2× of GET /customers/:id.
// BENCH_SECONDS (default 5) per run; BENCH_CONNECTIONS (default "50,200"); BENCH_ROLLUPS (default 100000).
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import autocannon from "autocannon";
import { applyMigrations } from "../lib/db/migrations";
import { findFreePort } from "../lib/db/embedded-postgres";
import { createPrismaClient } from "../lib/db/prisma";
import { generateApiKey } from "../lib/services/api-keys";
import { startAppServer } from "../tests/support/app-server";
import { openTestCluster } from "../tests/support/test-database";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "50,200").split(",").map(Number);
const ROLLUPS = Number(process.env.BENCH_ROLLUPS ?? 100_000);
const BATCH = 100;

if (!existsSync(".next/BUILD_ID")) {
  console.log("No production build; running next build…");
  if (spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit" }).status !== 0) throw new Error("next build failed");
}
const loadAtStart = os.loadavg();
const cluster = await openTestCluster();
const databaseUrl = await cluster.createDatabase("nexa_api_load");
await applyMigrations(databaseUrl);

const prisma = createPrismaClient(databaseUrl);
const key = generateApiKey();
const service = await prisma.service.create({ data: { code: "load", name: "Load", mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } } });
const metric = await prisma.billableMetric.create({ data: { serviceId: service.id, code: "units", name: "Units", aggregation: "sum", fieldName: "units" } });
const plan = await prisma.plan.create({ data: { serviceId: service.id, code: "load_plan", name: "Load", amountCents: BigInt(0), charges: { create: { billableMetricId: metric.id, code: "units", properties: { amount: "0.01" } } } } });
const customer = await prisma.customer.create({ data: { legalName: "Load Ltd.", province: "ON" } });
await prisma.accountLink.create({ data: { serviceId: service.id, externalId: "load-cus", customerId: customer.id } });
const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1, 6));
const subscriptions = [];
for (let i = 0; i < 50; i++) {
  subscriptions.push(await prisma.subscription.create({
    data: { externalId: `load-sub-${i}`, customerId: customer.id, serviceId: service.id, planId: plan.id, billingAnchorDate: monthStart, subscriptionAt: monthStart, startedAt: monthStart },
  }));
}
const at = new Date(Math.max(monthStart.getTime() + 3_600_000, Date.now() - 3_600_000));
// The current_usage subscription gets ROLLUPS pushes in this period, spread over its hours so far (one statement).
const hoursSoFar = Math.max(1, Math.floor((at.getTime() - monthStart.getTime()) / 3_600_000));
const seeded = Date.now();
await prisma.$executeRawUnsafe(
  `INSERT INTO "UsageRollup" ("id", "serviceId", "subscriptionId", "billableMetricId", "periodStart", "periodEnd", "value", "idempotencyKey")
   SELECT gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, t, t, (i % 97) + 0.5, 'seed-' || i
     FROM generate_series(1, $5::int) i, LATERAL (SELECT $4::timestamptz + (i % $6::int) * interval '1 hour' + (i % 3600) * interval '1 second' AS t) w`,
  service.id, subscriptions[0].id, metric.id, monthStart.toISOString(), ROLLUPS, hoursSoFar,
);
console.log(`Seeded ${ROLLUPS.toLocaleString("en-CA")} rollups over ${hoursSoFar} hours in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
await prisma.$executeRawUnsafe(`VACUUM ANALYZE "UsageRollup"`);
await prisma.$disconnect();

// Quotas far above what the bench sends, so the limiter still counts every request (its cost is measured) but refuses none.
const app = await startAppServer({ databaseUrl, env: { NEXA_JOBS: "off", NEXA_RATE_LIMIT_API_PER_KEY: "100000000", NEXA_RATE_LIMIT_API_PER_IP: "100000000" } });
const barePort = await findFreePort();
const bare = spawn("node_modules/.bin/tsx", ["bench/bare-usage-server.ts"], {
  env: { ...process.env, DATABASE_URL: databaseUrl, BARE_PORT: String(barePort), BARE_SUBSCRIPTION_ID: subscriptions[1].id, BARE_METRIC_ID: metric.id },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise<void>((resolve) => bare.stdout!.on("data", (d) => String(d).includes("listening") && resolve()));

const api = `${app.baseUrl}/api/billing/v1`;
const auth = { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" };
let counter = 0;
const record = (prefix: string) => {
  const n = counter++;
  return { external_subscription_id: `load-sub-${1 + (n % 49)}`, code: "units", timestamp: at.toISOString(), value: String((n % 97) + 0.5), idempotency_key: `${prefix}-${n}` };
};

interface Target {
  name: string;
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: () => string;
  expect: number;
  perRequest?: number;
}
const targets: Target[] = [
  { name: "bare node:http: key lookup + INSERT (reference)", url: `http://127.0.0.1:${barePort}/usage`, method: "POST", headers: auth, body: () => JSON.stringify({ usage: record("bare") }), expect: 200 },
  { name: "app floor: GET /customers without a key (401 expected)", url: `${api}/customers`, expect: 401 },
  { name: "POST /usage (one record)", url: `${api}/usage`, method: "POST", headers: auth, body: () => JSON.stringify({ usage: record("single") }), expect: 200 },
  { name: `POST /usage/batch (${BATCH} records)`, url: `${api}/usage/batch`, method: "POST", headers: auth, body: () => JSON.stringify({ usage: Array.from({ length: BATCH }, () => record("batch")) }), expect: 200, perRequest: BATCH },
  { name: `GET current_usage (${ROLLUPS.toLocaleString("en-CA")} rollups)`, url: `${api}/customers/load-cus/current_usage?external_subscription_id=load-sub-0`, headers: auth, expect: 200 },
  { name: "GET /customers/:id", url: `${api}/customers/load-cus`, headers: auth, expect: 200 },
  { name: "GET /health", url: `${api}/health`, expect: 200 },
];

interface Row { name: string; connections: number; answered: number; rps: number; p50: number; p99: number; unexpected: number; fiveXx: number; errors: number; perRequest?: number }

/** Lets the server finish what the previous run left queued, so each run starts on an idle server. */
async function settle(): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const started = performance.now();
    await fetch(`${api}/customers`).then((r) => r.arrayBuffer()).catch(() => {});
    if (performance.now() - started < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function drive(target: Target, connections: number, seconds: number): Promise<Row> {
  // Connections that got at least one answer during the run: one that got none waited the whole run to be served.
  const answered = new Set<unknown>();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: target.url,
      connections,
      duration: seconds,
      method: target.method ?? "GET",
      headers: target.headers,
      requests: [{ setupRequest: (req) => ({ ...req, ...(target.body ? { body: target.body() } : {}) }) }],
      timeout: 30,
    }, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (client) => answered.add(client));
  });
  // Every status other than the expected one is counted; 5xx separately (the target is none).
  const statuses = result.statusCodeStats as unknown as Record<string, { count: number }>;
  const unexpected = Object.entries(statuses ?? {}).filter(([code]) => Number(code) !== target.expect).reduce((n, [, s]) => n + s.count, 0);
  return { name: target.name, connections, answered: answered.size, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, unexpected, fiveXx: result["5xx"], errors: result.errors + result.timeouts, perRequest: target.perRequest };
}

const rows: Row[] = [];
try {
  // Warm-up: route code paths, pools, JIT.
  for (const target of targets) await drive(target, 10, 1);
  for (const connections of CONNECTIONS) {
    for (const target of targets) {
      await settle();
      const row = await drive(target, connections, SECONDS);
      rows.push(row);
      console.log(`  ${connections} conns  ${target.name}: ${Math.round(row.rps)}/s`);
    }
  }
} finally {
  bare.kill("SIGTERM");
  await app.stop();
  await cluster.stop();
}

const num = (n: number) => Math.round(n).toLocaleString("en-CA");
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
console.log(`\nbench/api-load — ${SECONDS} s per run, production build (next start, one process, DB pool ${process.env.DB_POOL_MAX ?? 10}), same database for all rows, ${os.cpus().length} cores`);
console.log(`load average (1/5/15 min): ${load(loadAtStart)} at start, ${load(os.loadavg())} at the end (the machine is shared)\n`);
console.log(`| request | conns | conns answered | answers/s | p50 | p99 | non-2xx* | 5xx | socket errors/timeouts |`);
console.log(`|---|---|---|---|---|---|---|---|---|`);
for (const r of rows) {
  const perRecord = r.perRequest ? ` (${num(r.rps * r.perRequest)} records/s)` : "";
  console.log(`| ${r.name} | ${r.connections} | ${r.answered} | ${num(r.rps)}${perRecord} | ${r.p50} ms | ${r.p99} ms | ${r.unexpected} | ${r.fiveXx} | ${r.errors} |`);
}
console.log("* answers other than the route's expected status (200; the floor's 401)\n");
for (const connections of CONNECTIONS) {
  const of = (prefix: string) => rows.find((r) => r.connections === connections && r.name.startsWith(prefix))!;
  const bareRow = of("bare");
  const floor = of("app floor");
  const single = of("POST /usage (");
  const current = of("GET current_usage");
  const customerRow = of("GET /customers/:id");
  const pct = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)} %` : "n/a");
  const times = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : "n/a");
  console.log(`${connections} conns: floor = ${pct(floor.rps, bareRow.rps)} of the bare handler's answers/s (p99 ${times(floor.p99, bareRow.p99)}); ` +
    `POST /usage = ${pct(single.rps, floor.rps)} of the floor's answers/s (target ≥ 60 %), p99 ${times(single.p99, floor.p99)} the floor's (target ≤ 2×); ` +
    `current_usage = ${pct(current.rps, customerRow.rps)} of GET /customers/:id answers/s (target ≥ 50 %), p99 ${times(current.p99, customerRow.p99)}; ` +
    `5xx total ${rows.filter((r) => r.connections === connections).reduce((n, r) => n + r.fiveXx, 0)} (target 0)`);
}
