import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort } from "@/lib/db/embedded-postgres";
import { testEnv } from "../support/env";
import { createFreshDatabase } from "../support/test-database";
import { waitFor } from "../support/webhook-receiver";

/**
 * `npm start` (scripts/run-app.ts) supervises the app process: killed by a signal it is started again after a
 * back-off; killed again and again (here: more than once within a minute) the supervisor exits with a failure so a
 * process manager takes over, instead of staying up with nothing serving.
 */
describe("scripts/run-app.ts supervision", () => {
  let supervisor: ChildProcess | undefined;
  afterAll(() => {
    if (supervisor && supervisor.exitCode === null) supervisor.kill("SIGTERM");
  });

  it("restarts an app process killed by SIGKILL, then gives up as a whole when it keeps dying", async () => {
    const url = await createFreshDatabase(testEnv.adminUrl, "nexa_supervised");
    const port = await findFreePort();
    let log = "";
    supervisor = spawn("node_modules/.bin/tsx", ["scripts/run-app.ts", "start"], {
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), NEXA_JOBS: "off", NEXA_RESTART_LIMIT: "1", NEXTAUTH_SECRET: "test-secret-not-for-production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    supervisor.stdout!.on("data", (d) => (log += d));
    supervisor.stderr!.on("data", (d) => (log += d));
    const exited = new Promise<number | null>((resolve) => supervisor!.once("exit", (code) => resolve(code)));
    const health = () => fetch(`http://127.0.0.1:${port}/api/billing/v1/health`).then((r) => r.status, () => 0);
    const appPids = () => [...log.matchAll(/App process (\d+) started\./g)].map((m) => Number(m[1]));

    await waitFor(async () => (await health()) === 200, { timeoutMs: 90_000, intervalMs: 250 });
    const [first] = appPids();
    expect(first).toBeGreaterThan(0);

    process.kill(first, "SIGKILL");
    await waitFor(() => appPids().length === 2, { timeoutMs: 15_000 });
    expect(log).toContain(`App process ${first} killed by SIGKILL; restarting in 1000 ms.`);
    await waitFor(async () => (await health()) === 200, { timeoutMs: 60_000, intervalMs: 250 });
    expect(supervisor.exitCode).toBeNull();

    // A second death within the minute is past NEXA_RESTART_LIMIT=1: the supervisor exits with a failure.
    process.kill(appPids()[1], "SIGKILL");
    expect(await exited).toBe(1);
    expect(log).toContain("giving up");
    expect(await health()).toBe(0);
  }, 300_000);
});
