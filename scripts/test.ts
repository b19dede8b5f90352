// npm test — every test against real infrastructure, started here:
//   1. a PostgreSQL server (DATABASE_URL's server when set, else an ephemeral embedded one) with a fresh database,
//      migrated and seeded (and a second one for the browser tests);
//   2. type checking and lint;
//   3. a production build of the app, served with `next start`;
//   4. Vitest (unit + integration over real HTTP and Postgres), then Playwright in Debian's Chromium.
// Ends with one line: "summary: N passed, N failed, N skipped".
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyMigrations } from "../lib/db/migrations";
import { createPrismaClient } from "../lib/db/prisma";
import { seedDemoCatalog } from "../lib/seed/demo-catalog";
import { startAppServer, type AppServer } from "../tests/support/app-server";
import { startMailCatcher } from "../tests/support/mail-catcher";
import { startStripeTestServer } from "../tests/support/stripe-test-server";
import { openTestCluster } from "../tests/support/test-database";

// The app's scheduled period close would bill test data at wall-clock time in the middle of tests that bill chosen
// instants; it is moved to 03:00 on January 1 (the tests still check that it is scheduled, and run queued jobs).
process.env.NEXA_BILLING_CRON ??= "0 3 1 1 *";
// Pay-in-advance charges are then billed by the nudge from POST /events alone (what the tests check), not by the sweep.
process.env.NEXA_ADVANCE_CHARGES_CRON ??= "0 3 1 1 *";
process.env.NEXA_COLLECTIONS_CRON ??= "0 3 1 1 *";
process.env.NEXA_REFUND_SWEEP_CRON ??= "0 3 1 1 *";
process.env.NEXA_NOTICES_CRON ??= "0 3 1 1 *";
process.env.NEXA_WALLETS_CRON ??= "0 3 1 1 *";
// The app's webhook worker polls and retries on a test scale: a receiver that comes back is served within a second or two.
process.env.NEXA_WEBHOOK_POLL_MS ??= "200";
process.env.NEXA_WEBHOOK_RETRY_BASE_MS ??= "200";
process.env.NEXA_WEBHOOK_RETRY_MAX_MS ??= "1500";
process.env.NEXA_WEBHOOK_TIMEOUT_MS ??= "3000";
process.env.NEXA_WEBHOOK_MAX_ATTEMPTS ??= "8";
// The tests' webhook receivers listen on 127.0.0.1: loopback endpoints are a development setting, off in production.
process.env.NEXA_ALLOW_LOOPBACK_WEBHOOKS ??= "1";
// The seed seals webhook secrets with the key derived from it, as the app will open them.
process.env.NEXTAUTH_SECRET ??= "test-secret-not-for-production";

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith("--only="))?.slice("--only=".length); // unit|integration|e2e
// Other arguments filter the Vitest files by name (e.g. `npm test -- --only=integration --skip-build webhook`).
const fileFilters = [...args].filter((a) => !a.startsWith("--"));
const skipBuild = args.has("--skip-build") || process.env.NEXA_TEST_SKIP_BUILD === "1";
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Tally { passed: number; failed: number; skipped: number }
const tally: Tally = { passed: 0, failed: 0, skipped: 0 };
const problems: string[] = [];
// This process hosts the Stripe and SMTP stand-ins: an error one of them fails to handle is a failed run, reported
// in the summary, rather than the end of the runner with no summary at all.
process.on("uncaughtException", (error) => {
  tally.failed += 1;
  problems.push(`test runner: ${error instanceof Error ? error.message : String(error)}`);
  console.error(error);
});

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env, quiet = false): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (d: Buffer) => {
      output += d;
      if (!quiet) process.stdout.write(d);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function section(title: string) {
  console.log(`\n=== ${title} ===`);
}

async function check(name: string, command: string, commandArgs: string[], env?: NodeJS.ProcessEnv) {
  section(name);
  const { code, output } = await run(command, commandArgs, env, true);
  if (code === 0) {
    tally.passed += 1;
    console.log(`${name}: ok`);
  } else {
    tally.failed += 1;
    problems.push(name);
    console.log(output.trim().split("\n").slice(-60).join("\n"));
    console.log(`${name}: FAILED`);
  }
}

const node = process.execPath;
const cluster = await openTestCluster();
// Stripe and SMTP stand-ins: the app talks to them exactly as to the real services; tests read what they received.
const stripeServer = await startStripeTestServer({ webhookRetry: { attempts: 5, delayMs: 200 } });
const mailCatcher = await startMailCatcher();
const paymentEnv = {
  STRIPE_SECRET_KEY: stripeServer.secretKey,
  STRIPE_WEBHOOK_SECRET: stripeServer.webhookSecret,
  STRIPE_API_URL: stripeServer.baseUrl,
  SMTP_URL: mailCatcher.smtpUrl,
  MAIL_FROM: "Nexa Billing <billing@nexa.example>",
};
let server: AppServer | undefined;
const reportDir = mkdtempSync(path.join(tmpdir(), "nexa-test-report-"));
try {
  section("Database");
  const adminPassword = randomBytes(12).toString("base64url");
  /** A fresh database, migrated and seeded with the demo catalog. */
  const seededDatabase = async () => {
    const url = await cluster.createDatabase("nexa_test");
    await applyMigrations(url);
    const prisma = createPrismaClient(url);
    await seedDemoCatalog(prisma, { adminPassword });
    await prisma.$disconnect();
    return url;
  };
  const databaseUrl = await seededDatabase();
  console.log(`${cluster.embedded ? "Embedded" : "External"} PostgreSQL, fresh database migrated and seeded.`);

  const testEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    NEXA_TEST_ADMIN_URL: cluster.adminUrl,
    NEXA_TEST_ADMIN_EMAIL: "admin@nexa.example",
    NEXA_TEST_ADMIN_PASSWORD: adminPassword,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET,
    ...paymentEnv,
    NEXA_TEST_MAIL_URL: mailCatcher.httpUrl,
    CHROMIUM_PATH: chromiumPath,
    NEXT_TELEMETRY_DISABLED: "1",
    FORCE_COLOR: "0",
    NO_COLOR: "1",
  };

  if (!only) {
    await check("typecheck", node, ["node_modules/typescript/bin/tsc", "--noEmit"], testEnv);
    await check("lint", node, ["node_modules/eslint/bin/eslint.js", "."], testEnv);
  }

  if (only !== "unit") {
    if (!skipBuild || !existsSync(".next/BUILD_ID")) {
      section("Build");
      const build = await run(node, ["node_modules/next/dist/bin/next", "build"], testEnv, true);
      if (build.code !== 0) {
        console.log(build.output.split("\n").slice(-80).join("\n"));
        throw new Error("next build failed");
      }
      console.log("next build: ok");
    }
  }

  const serve = async (url: string) => {
    await server?.stop();
    server = await startAppServer({ databaseUrl: url, env: { NEXTAUTH_SECRET: testEnv.NEXTAUTH_SECRET!, ...paymentEnv } });
    stripeServer.setWebhookUrl(`${server.baseUrl}/api/stripe/webhook`);
    testEnv.DATABASE_URL = url;
    testEnv.NEXA_TEST_BASE_URL = server.baseUrl;
    console.log(`App serving at ${server.baseUrl}`);
  };

  if (only !== "e2e") {
    if (only !== "unit") await serve(databaseUrl);
    section("Vitest");
    const vitestJson = path.join(reportDir, "vitest.json");
    const projectFilter = only === "unit" ? ["tests/unit"] : only === "integration" ? ["tests/integration", "tests/security"] : [];
    await run(node, ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`, ...(fileFilters.length ? fileFilters : projectFilter)], testEnv);
    if (existsSync(vitestJson)) {
      const report = JSON.parse(readFileSync(vitestJson, "utf8"));
      tally.passed += report.numPassedTests;
      tally.failed += report.numFailedTests;
      tally.skipped += report.numPendingTests + report.numTodoTests;
      if (report.numFailedTests > 0 || report.success === false) problems.push("vitest");
      if (report.numFailedTests === 0 && report.success === false) tally.failed += 1; // a suite failed to load
    } else {
      tally.failed += 1;
      problems.push("vitest (no report)");
    }
  }

  if (!only || only === "e2e") {
    section("Playwright (Chromium)");
    // The browser tests start from the demo seed as it is: Vitest's suites have written to the first database.
    await serve(only === "e2e" ? databaseUrl : await seededDatabase());
    if (!existsSync(chromiumPath)) {
      tally.failed += 1;
      problems.push(`e2e: no Chromium at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
    } else {
      const pwJson = path.join(reportDir, "playwright.json");
      // With --only=e2e, file filters pick Playwright specs (e.g. `npm test -- --only=e2e --skip-build security-csp`).
      // A filtered run skips the seed-reader project the specs otherwise depend on.
      const specFilters = only === "e2e" && fileFilters.length ? ["--no-deps", ...fileFilters] : [];
      await run(node, ["node_modules/@playwright/test/cli.js", "test", "--reporter=list,json", ...specFilters], { ...testEnv, PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
      if (existsSync(pwJson)) {
        const stats = JSON.parse(readFileSync(pwJson, "utf8")).stats;
        tally.passed += stats.expected + stats.flaky;
        tally.failed += stats.unexpected;
        tally.skipped += stats.skipped;
        if (stats.unexpected > 0) problems.push("playwright");
      } else {
        tally.failed += 1;
        problems.push("playwright (no report)");
      }
    }
  }
} catch (error) {
  tally.failed += 1;
  problems.push((error as Error).message);
  console.error(error);
} finally {
  if (tally.failed > 0 && server) {
    console.log("\n=== App server log (last 80 lines) ===");
    console.log(server.output().trim().split("\n").slice(-80).join("\n"));
  }
  await server?.stop();
  await stripeServer.stop().catch(() => {});
  await mailCatcher.stop().catch(() => {});
  await cluster.stop().catch(() => {});
  rmSync(reportDir, { recursive: true, force: true });
}

if (problems.length) console.log(`\nFailures: ${problems.join("; ")}`);
console.log(`\nsummary: ${tally.passed} passed, ${tally.failed} failed, ${tally.skipped} skipped`);
process.exit(tally.failed > 0 ? 1 : 0);
