import { existsSync, readFileSync } from "node:fs";
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

/**
 * CPU seconds used so far by the PostgreSQL server processes behind the given backend pids (user + system, from
 * /proc/<pid>/stat): null where the server is not on this machine (or not on Linux), so benches print "n/a".
 */
export function backendCpuSeconds(pids: number[]): Map<number, number> | null {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
    } catch {
      return null;
    }
  }
  return seconds;
}

/** CPU seconds the backends used between two `backendCpuSeconds` readings (pids gone by the second are not counted). */
export function cpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
