// npm run dev | npm start
// Brings the app up on DATABASE_URL, or on an embedded PostgreSQL (data in .data/postgres) when it is unset:
// migrates, then on a fresh database seeds the demo catalog (dev) or creates only an administrator (start), then runs
// `next dev` or `next start`.
import exitHook from "async-exit-hook";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { applyMigrations } from "../lib/db/migrations";
import { APP_NODE_FLAGS } from "../lib/runtime/app-node-flags";
import { openLocalDatabase } from "../lib/db/local-database";
import { createPrismaClient } from "../lib/db/prisma";
import { DEMO_ADMIN_EMAIL, seedDemoCatalog } from "../lib/seed/demo-catalog";
import { createFirstAdmin } from "../lib/seed/first-admin";
import { reportSeedCredentials } from "../lib/seed/seed-credentials";

const mode = process.argv[2] === "start" ? "start" : "dev";
const port = Number(process.env.PORT ?? 3000);
const nextBin = "node_modules/next/dist/bin/next";

function authSecret(): string {
  if (process.env.NEXTAUTH_SECRET) return process.env.NEXTAUTH_SECRET;
  const file = ".data/nextauth-secret";
  if (!existsSync(file)) {
    mkdirSync(".data", { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

const database = await openLocalDatabase();
console.log(database.embedded ? `Embedded PostgreSQL running (${database.url.replace(/:[^:@/]+@/, ":***@")})` : "Using DATABASE_URL");

let stopping: Promise<void> | undefined;
const stopDatabase = () => (stopping ??= database.stop().catch(() => {}));
let shuttingDown = false;

const app: { child?: ChildProcess } = {};
exitHook((done) => {
  shuttingDown = true;
  const stopAll = () => void stopDatabase().finally(done);
  const child = app.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.once("exit", stopAll);
    child.kill("SIGTERM");
  } else {
    stopAll();
  }
});

try {
  // Seeded webhook secrets are sealed with the key the app will use.
  process.env.NEXTAUTH_SECRET = authSecret();
  const report = await applyMigrations(database.url, { log: console.log });
  console.log(`Database schema up to date (${report.applied.length + report.alreadyApplied.length} migrations).`);
  const prisma = createPrismaClient(database.url);
  const url = `http://localhost:${port}`;
  if (mode === "dev") {
    const seed = await seedDemoCatalog(prisma, { adminPassword: process.env.SEED_ADMIN_PASSWORD });
    if (seed.seeded && seed.admin) {
      const lines = [`Console:  ${url}/console`, `E-mail:   ${seed.admin.email}`, `Password: ${seed.admin.password}`];
      for (const key of seed.apiKeys ?? []) lines.push(`API key (${key.service}): ${key.key}`);
      reportSeedCredentials(lines, { isTTY: Boolean(process.stdout.isTTY) });
    } else {
      console.log(`\n  Console: ${url}/console — sign in as ${DEMO_ADMIN_EMAIL} with the password printed on first start.\n`);
    }
  } else {
    // Production: an administrator only. The demo catalog is never seeded here (npm run db:seed -- --demo does it).
    const admin = await createFirstAdmin(prisma, { email: process.env.ADMIN_EMAIL, password: process.env.ADMIN_PASSWORD });
    if (admin.created) {
      reportSeedCredentials([`Console:  ${process.env.NEXTAUTH_URL ?? url}/console`, `E-mail:   ${admin.email}`, `Password: ${admin.password}`], {
        isTTY: Boolean(process.stdout.isTTY), heading: "First start: one administrator was created (no demo data). Set the company profile (Settings) before the first billing run",
      });
    } else {
      console.log(`\n  Console: ${process.env.NEXTAUTH_URL ?? url}/console\n`);
    }
  }
  await prisma.$disconnect();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

const env = {
  ...process.env,
  DATABASE_URL: database.url,
  NEXTAUTH_SECRET: authSecret(),
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  NEXT_TELEMETRY_DISABLED: "1",
};
if (mode === "start" && !existsSync(".next/BUILD_ID")) {
  console.log("No production build found; running next build first.");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
/**
 * Supervision. The app process is restarted when it dies by a signal (SIGKILL from the OOM killer, a crash in native
 * code), after a back-off that doubles from 1 s to 30 s and resets once a process has served for a minute. When it
 * exits with a code (a startup error, the port in use) or keeps dying (more than RESTART_LIMIT deaths within
 * RESTART_WINDOW_MS), the supervisor stops the embedded database and exits with a failure, so a process manager
 * (systemd, Kubernetes, …) takes over; it never stays up with nothing serving.
 */
const RESTART_LIMIT = Number(process.env.NEXA_RESTART_LIMIT ?? 5);
const RESTART_WINDOW_MS = 60_000;
const STABLE_AFTER_MS = 60_000;
const deaths: number[] = [];
let backoffMs = 1000;

function exitAll(code: number): void {
  void stopDatabase().finally(() => process.exit(code));
}

function startApp(): void {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, nextBin, mode, "-p", String(port)], { stdio: "inherit", env });
  app.child = child;
  console.log(`App process ${child.pid} started.`);
  child.on("exit", (code, signal) => {
    if (shuttingDown) return; // the supervisor is shutting down and asked it to stop
    if (code !== null) {
      console.error(`App process ${child.pid} exited with code ${code}; stopping.`);
      return exitAll(code === 0 ? 1 : code);
    }
    const now = Date.now();
    if (now - startedAt >= STABLE_AFTER_MS) backoffMs = 1000;
    deaths.push(now);
    while (deaths.length && now - deaths[0] > RESTART_WINDOW_MS) deaths.shift();
    if (deaths.length > RESTART_LIMIT) {
      console.error(`App process ${child.pid} killed by ${signal}; ${deaths.length} deaths within a minute, giving up.`);
      return exitAll(1);
    }
    console.error(`App process ${child.pid} killed by ${signal}; restarting in ${backoffMs} ms.`);
    setTimeout(() => {
      if (!shuttingDown) startApp();
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 30_000);
  });
}

startApp();
