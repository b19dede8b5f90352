import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { createFixtureDatabase, createSelectOnlyRole, FIXTURE_RECONCILED_MONTH } from "../lib/nexacloud/fixture";

const email = process.env.NEXA_TEST_ADMIN_EMAIL!;
const password = process.env.NEXA_TEST_ADMIN_PASSWORD!;

/** One CSV record (quoted cells with doubled quotes). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  const pattern = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(pattern)) cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
  return cells;
}

/** A NexaCloud fixture database of its own, read through a SELECT-only role, and a shadow service to import into. */
async function arrange() {
  const fixture = await createFixtureDatabase(process.env.NEXA_TEST_ADMIN_URL!, { seed: 11, users: 80, prefix: "nexacloud_e2e" });
  const dsn = await createSelectOnlyRole(fixture.url);
  const suffix = randomUUID().slice(0, 8);
  const name = `E2E NexaCloud ${suffix}`;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES ($1, $2, $3, 'shadow', now())`, [randomUUID(), `e2e_nxc_${suffix}`, name]);
  } finally {
    await client.end();
  }
  return { ...fixture, dsn, serviceName: name, serviceCode: `e2e_nxc_${suffix}` };
}

test("staff test the connection, dry run, import and reconcile NexaCloud from the console", async ({ page }) => {
  test.setTimeout(120_000);
  const source = await arrange();
  const outcomes = Object.values(source.manifest.outcomes).flatMap((o) => Object.values(o));
  const expected = { created: outcomes.filter((o) => o === "created").length, skipped: outcomes.filter((o) => o === "skipped").length, failed: outcomes.filter((o) => o === "failed").length };
  const counts = `Created ${expected.created} · Updated 0 · Unchanged 0 · Skipped ${expected.skipped} · Failed ${expected.failed}`;

  await page.goto("/console/imports");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto("/console/imports");
  await expect(page.getByRole("heading", { name: "NexaCloud import" })).toBeVisible();

  // Settings: the DSN is stored encrypted and shown without its password.
  await page.getByLabel("NexaCloud DSN").fill(source.dsn);
  await page.getByLabel("Import into service").selectOption({ label: `${source.serviceName} (${source.serviceCode})` });
  await page.getByLabel("Tolerance (cents)").fill("1");
  await page.getByLabel("Tolerance (%)").fill("0");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await expect(page.getByTestId("dsn-in-force")).toContainText(":***@");
  await expect(page.getByTestId("dsn-in-force")).not.toContainText(new URL(source.dsn).password);

  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("connection-result")).toContainText("every expected table and column is there");
  const tables = page.getByRole("region", { name: "Source tables" });
  await expect(tables.getByRole("row", { name: /users all present 80/ })).toBeVisible();

  await page.getByRole("button", { name: "Dry run" }).click();
  const latest = page.getByTestId("latest-import");
  await expect(latest).toContainText("Dry run · succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("import-counts")).toHaveText(counts);
  await expect(latest).toHaveAttribute("data-tone", "red"); // the fixture has rows that must fail
  await expect(latest).toContainText(`${expected.failed} row(s) failed`);

  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(latest).toContainText("Import · succeeded", { timeout: 60_000 });
  await expect(page.getByTestId("import-counts")).toHaveText(counts);
  const history = page.getByRole("region", { name: "Import runs" });
  await expect(history.locator("tbody tr")).not.toHaveCount(0);

  // The run's log gives the reason of each failed row.
  await latest.getByRole("link", { name: "Open the run's log" }).click();
  await page.getByRole("link", { name: /^error/ }).click();
  await expect(page.getByRole("region", { name: "Import log" }).getByRole("cell", { name: "Unknown plan id 99." }).first()).toBeVisible();

  // Reconciliation of the seeded month.
  const rec = Object.values(source.manifest.reconciliation);
  const match = rec.filter((r) => r.status === "match").length;
  const delta = rec.filter((r) => r.status === "delta").length;
  const error = rec.filter((r) => r.status === "error").length;
  await page.goto("/console/reconciliation");
  await page.getByLabel("Month (YYYY-MM)").fill(FIXTURE_RECONCILED_MONTH);
  await page.getByRole("button", { name: "Run reconciliation" }).click();
  await expect(page.getByTestId("reconciliation-result")).toContainText(`${FIXTURE_RECONCILED_MONTH} reconciled: ${match} match, ${delta} delta, ${error} error.`, { timeout: 60_000 });

  const summary = page.getByRole("region", { name: "Summary per month" }).last();
  await expect(summary.getByRole("row", { name: new RegExp(`^${FIXTURE_RECONCILED_MONTH} ${rec.length} ${match} ${delta} ${error}`) })).toBeVisible();
  await expect(page.getByRole("img", { name: "Matched percentage and total delta per month" })).toBeVisible();

  const rows = page.getByRole("region", { name: "Reconciliation rows" });
  await expect(rows.getByText(`${rec.length} rows`)).toBeVisible();
  await page.getByLabel("Status filter").selectOption("error");
  await expect(page).toHaveURL(/status=error/);
  await expect(rows.getByText(`${error} ${error === 1 ? "row" : "rows"}`)).toBeVisible();
  // Status, then at once a minimum delta and Apply: neither filter is lost to the other.
  await page.getByLabel("Status filter").selectOption("delta");
  await page.getByLabel("Minimum delta in dollars").fill("10");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/min_delta=10/);
  await expect(page).toHaveURL(/status=delta/);
  await expect(page.getByLabel("Status filter")).toHaveValue("delta");
  const bigDeltas = rec.filter((r) => r.status === "delta" && Math.abs(r.deltaCents!) >= 1000).length;
  await expect(rows.getByText(`${bigDeltas} ${bigDeltas === 1 ? "row" : "rows"}`)).toBeVisible();

  // The CSV export holds exactly the rows on screen, in the same order.
  const shown = await rows.locator("tbody tr td:first-child").allTextContents();
  expect(shown).toHaveLength(bigDeltas);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^reconciliation-.*-delta\.csv$/);
  const lines = readFileSync((await download.path())!, "utf8").replace(/^\uFEFF/, "").trim().split("\r\n");
  expect(lines[0]).toBe("period,customer,nexacloud_user_id,status,computed,nexacloud,delta,note,customer_id,row_id");
  const exported = lines.slice(1).map((line) => parseCsvLine(line));
  expect(exported.map((cells) => cells[1])).toEqual(shown);
  expect(exported.every((cells) => cells[3] === "delta" && Math.abs(Number(cells[6])) >= 10)).toBe(true);

  // A text filter narrows the export too.
  const first = shown[0];
  await rows.getByRole("searchbox").fill(first);
  await expect(page).toHaveURL(/c_q=/);
  await expect(rows.locator("tbody tr")).toHaveCount(shown.filter((c) => c.toLowerCase().includes(first.toLowerCase())).length);
  const narrowed = await page.request.get(await page.getByRole("link", { name: "Export CSV" }).getAttribute("href").then((h) => h!));
  expect((await narrowed.text()).trim().split("\r\n").slice(1).every((line) => parseCsvLine(line)[1].toLowerCase().includes(first.toLowerCase()))).toBe(true);
  await rows.getByRole("searchbox").fill("");

  // Drill-down: both sides' lines.
  await page.getByLabel("Status filter").selectOption("");
  await page.getByLabel("Minimum delta in dollars").fill("");
  await page.getByRole("button", { name: "Apply" }).click();
  await rows.getByRole("searchbox").fill("3");
  await expect(page).toHaveURL(/c_q=3/);
  await rows.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/console\/reconciliation\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("region", { name: "Computed lines" })).toBeVisible();
  await expect(page.getByRole("region", { name: "NexaCloud invoice items" })).toBeVisible();
  await expect(page.getByTestId("reconciliation-status")).toHaveText(/match|delta|error/);
});
