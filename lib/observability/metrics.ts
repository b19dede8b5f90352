import client from "prom-client";
import type pg from "pg";
import { sqlPool } from "@/lib/db/sql";
import { requestAdmission } from "@/lib/runtime/request-admission";

/**
 * Prometheus metrics of one server process, served by `GET /api/metrics` (token-protected). Request counts and
 * latency come from the API wrapper (lib/api/route.ts); pool usage is read from the shared pool at scrape time; queue
 * depths and the last billing run are read from PostgreSQL at scrape time (a few indexed counts), so every instance
 * reports the same queue figures and a dashboard takes any one of them.
 */
interface Registry {
  registry: client.Registry;
  requests: client.Counter<"route" | "method" | "status">;
  duration: client.Histogram<"route" | "method" | "status">;
}

const globalForMetrics = globalThis as unknown as { nexaMetrics?: Registry };

function build(): Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "nexa_" });
  const requests = new client.Counter({
    name: "nexa_http_requests_total",
    help: "API requests answered, by route template, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "nexa_http_request_duration_seconds",
    help: "API request latency, by route template, method and status",
    labelNames: ["route", "method", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const pool = new client.Gauge({
    name: "nexa_db_pool_connections",
    help: "Connections of the process's shared PostgreSQL pool: total open, idle, requests waiting, configured max",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const p: pg.Pool = sqlPool();
      this.set({ state: "total" }, p.totalCount);
      this.set({ state: "idle" }, p.idleCount);
      this.set({ state: "waiting" }, p.waitingCount);
      this.set({ state: "max" }, p.options.max ?? 10);
    },
  });
  void pool;
  new client.Gauge({
    name: "nexa_api_requests_waiting",
    help: "API requests of this process waiting to be admitted (a few are admitted per turn of the event loop)",
    registers: [registry],
    collect() {
      this.set(requestAdmission().queued);
    },
  });
  new client.Gauge({
    name: "nexa_queue_depth",
    help: "Work waiting: webhook deliveries due, dunning processes due, billing and collection jobs queued",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      // A scrape during a database outage still answers (with the process metrics); the gauges keep their last value.
      const { rows } = await sqlPool()
        .query<{ queue: string; depth: number }>(
          `SELECT 'webhooks' AS queue, count(*)::int AS depth FROM "WebhookDelivery" WHERE status = 'pending' AND "nextAttemptAt" <= now()
           UNION ALL SELECT 'dunning', count(*)::int FROM "DunningProcess" WHERE status = 'active' AND "nextActionAt" <= now()
           UNION ALL SELECT 'billing_runs', count(*)::int FROM "BillingRun" WHERE status IN ('queued', 'running')`,
        )
        .catch(() => ({ rows: [] as { queue: string; depth: number }[] }));
      for (const row of rows) this.set({ queue: row.queue }, row.depth);
      // pg-boss's own queues, when its schema exists (it is created when the job runner first starts).
      const jobs = await sqlPool()
        .query<{ name: string; depth: number }>(`SELECT name, count(*)::int AS depth FROM pgboss.job WHERE state IN ('created', 'retry') GROUP BY name`)
        .catch(() => ({ rows: [] as { name: string; depth: number }[] }));
      for (const job of jobs.rows) this.set({ queue: `job:${job.name}` }, job.depth);
    },
  });
  new client.Gauge({
    name: "nexa_last_billing_run",
    help: "The latest finished billing run: finished_at (Unix seconds), duration_seconds, invoices, failures",
    labelNames: ["field", "status"] as const,
    registers: [registry],
    async collect() {
      const { rows } = await sqlPool().query<{ status: string; finished: number; duration: number; invoices: number; failures: number }>(
        `SELECT status::text, extract(epoch FROM "finishedAt")::float8 AS finished,
                extract(epoch FROM "finishedAt" - coalesce("startedAt", "createdAt"))::float8 AS duration,
                "invoicesCreated" AS invoices, failures
           FROM "BillingRun" WHERE "finishedAt" IS NOT NULL ORDER BY "finishedAt" DESC LIMIT 1`,
      ).catch(() => null) ?? { rows: [] };
      const run = rows[0];
      if (!run) return;
      this.reset();
      this.set({ field: "finished_at", status: run.status }, run.finished);
      this.set({ field: "duration_seconds", status: run.status }, run.duration);
      this.set({ field: "invoices", status: run.status }, run.invoices);
      this.set({ field: "failures", status: run.status }, run.failures);
    },
  });
  return { registry, requests, duration };
}

export function metrics(): Registry {
  globalForMetrics.nexaMetrics ??= build();
  return globalForMetrics.nexaMetrics;
}

export function observeRequest(route: string, method: string, status: number, seconds: number): void {
  const m = metrics();
  const labels = { route, method, status: String(status) };
  m.requests.inc(labels);
  m.duration.observe(labels, seconds);
}
