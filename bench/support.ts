import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { applyMigrations } from "../lib/db/migrations";
import { openTestCluster, type TestCluster } from "../tests/support/test-database";
import { startAppServer, type AppServer } from "../tests/support/app-server";

export interface BenchEnvironment {
  cluster: TestCluster;
  databaseUrl: string;
  server: AppServer;
  close(): Promise<void>;
}

/** A fresh migrated database (embedded PostgreSQL unless DATABASE_URL is set) and the production app serving it. */
export async function openBenchEnvironment(): Promise<BenchEnvironment> {
  if (!existsSync(".next/BUILD_ID")) {
    console.log("No production build; running next build…");
    const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  const cluster = await openTestCluster();
  const databaseUrl = await cluster.createDatabase("nexa_bench");
  await applyMigrations(databaseUrl);
  // Quotas far above what a bench sends: the limiter still counts every request but refuses none.
  const server = await startAppServer({ databaseUrl, env: { NEXA_RATE_LIMIT_API_PER_KEY: "100000000", NEXA_RATE_LIMIT_API_PER_IP: "100000000" } });
  return {
    cluster,
    databaseUrl,
    server,
    close: async () => {
      await server.stop();
      await cluster.stop();
    },
  };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await run();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, result };
}

export const rate = (count: number, seconds: number) => Math.round(count / seconds);
