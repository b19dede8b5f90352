import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { signIn } from "./console-helpers";

/** Runs e2e/support/migration-scenario.ts (Prisma, Stripe and the NexaCloud fixture) and returns what it printed. */
function scenario<T>(...args: string[]): T {
  const output = execFileSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "e2e/support/migration-scenario.ts", ...args], { encoding: "utf8", env: process.env, timeout: 240_000 });
  return JSON.parse(output.trim().split("\n").pop()!) as T;
}

const PINNED_NOW = "2026-11-15T12:00:00.000Z";

test("staff open the readiness report, promote a NexaCloud service, see its first live invoices and retire the source", async ({ page }) => {
  test.setTimeout(360_000);
  // The NexaCloud fixture invoiced August to October 2026: the console's clock is pinned to mid-November 2026 (a header
  // the app honours only in test runs, lib/console/console-clock.ts), so readiness reads September and October whatever
  // the date the test runs.
  await page.setExtraHTTPHeaders({ "x-nexa-test-now": PINNED_NOW });
  const { serviceId, serviceName } = scenario<{ serviceId: string; serviceName: string }>("arrange", PINNED_NOW);

  await signIn(page, "/console/migrations");
  await page.getByRole("link", { name: new RegExp(serviceName) }).click();
  await expect(page).toHaveURL(new RegExp(`/console/migrations/${serviceId}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${serviceName}: migration from NexaCloud`);

  // Readiness: two reconciled months and every condition met, each listed.
  await expect(page.getByTestId("readiness-verdict")).toHaveText("Ready for cutover.");
  const months = page.getByRole("region", { name: "Reconciled months" });
  await expect(months.locator("tbody tr")).toHaveCount(2);
  for (const key of ["months_reconciled", "billing_addresses", "plans_mapped", "payment_methods"]) await expect(page.getByTestId(`condition-${key}`)).toContainText("✓");
  await expect(page.getByTestId("dual-run-health")).toContainText("Months reconciled2");

  // Promote at the first day of the next month (the form's default, 2026-12-01 under the pinned clock).
  await expect(page.getByLabel("Boundary (first day billed live)")).toHaveValue("2026-12-01");
  await page.getByRole("button", { name: "Promote to live" }).click();
  // The page turns into the live service's: no readiness any more, the first live invoices to come, undo possible.
  const invoices = page.getByRole("region", { name: "First live invoices" }).first(); // the section (its table is "Live invoices")
  await expect(invoices).toContainText("No live invoice yet");
  await expect(page.getByRole("button", { name: "Undo promotion" })).toBeVisible();
  await expect(page.getByTestId("readiness-verdict")).toHaveCount(0);

  // The first live period ends: the period close bills each customer once and charges the adopted cards.
  expect(scenario<{ invoicesCreated: number; succeeded: number }>("close", serviceId)).toMatchObject({ invoicesCreated: 5, succeeded: 5 });
  await page.reload();
  await expect(invoices.locator("tbody tr")).toHaveCount(5);
  await expect(invoices.locator("tbody tr").filter({ hasText: "paid" })).toHaveCount(5);
  await expect(invoices.getByRole("link", { name: /^INV-\d{4}-\d{6}$/ })).toHaveCount(5);

  // Decommission: the checklist is complete, the source is retired.
  for (const key of ["promoted", "last_import", "last_reconciliation", "outstanding_deltas", "old_open_invoices"]) await expect(page.getByTestId(`checklist-${key}`)).toContainText("✓");
  await page.getByRole("button", { name: "Retire the source" }).click();
  await expect(page.getByTestId("source-retired")).toHaveText("Source retired.");
  await page.goto("/console/migrations");
  await expect(page.getByRole("row", { name: new RegExp(serviceName) })).toContainText("Source retired");
  await expect(page.getByRole("button", { name: "Undo promotion" })).toHaveCount(0);
});
