import { defineConfig } from "@playwright/test";

// The app server is started by scripts/test.ts (npm test) and handed over in NEXA_TEST_BASE_URL.
// Browsers are never downloaded: Debian's Chromium is launched from CHROMIUM_PATH.
const chromium = {
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  },
};

// Specs that read the demo seed exactly as seeded (row counts, first rows) run before the specs that add to it.
const SEED_READERS = /console-sign-in\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  // The machine is shared (2 cores): a page answered in 6 s under load is slow, not broken.
  expect: { timeout: 15_000 },
  use: {
    baseURL: process.env.NEXA_TEST_BASE_URL ?? "http://127.0.0.1:3000",
    trace: "off",
  },
  projects: [
    { name: "seed-readers", testMatch: SEED_READERS, use: chromium },
    { name: "seed-writers", testIgnore: SEED_READERS, dependencies: ["seed-readers"], use: chromium },
  ],
});
