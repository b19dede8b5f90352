import { expect, test } from "@playwright/test";
import { LagoFixtureServer } from "../tests/support/lago-fixture-server";
import { signIn, suffix } from "./console-helpers";

// Staff add a Lago source to a shadow service from the console: its API URL and key (the key stored encrypted and never
// shown again), test the connection against a real (fixture) Lago HTTP server, and run a dry run.

test("staff add a Lago source, test its connection and dry-run its import", async ({ page }) => {
  test.setTimeout(180_000);
  const s = suffix();
  const apiKey = `lago_e2e_${s}`;
  const lago = new LagoFixtureServer({ apiKey, prefix: `e2e${s}_`, maxPerPage: 3 });
  await lago.start();
  try {
    const code = `chat_${s}`;
    const name = `E2E chat ${s}`;
    await signIn(page, "/console/services");
    const form = page.getByRole("region", { name: "New service" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Code", { exact: true }).fill(code);
    await form.getByLabel("Mode").selectOption("shadow");
    await form.getByRole("button", { name: "Create service" }).click();
    await expect(page).toHaveURL(new RegExp(`/console/services/${code}$`));

    await page.goto("/console/migrations");
    const start = page.getByRole("form", { name: "Start a migration" });
    await start.getByLabel("Shadow service").selectOption({ label: `${name} (${code})` });
    await start.getByLabel("Old billing system").selectOption({ label: "Lago" });
    await start.getByRole("button", { name: "Add the source" }).click();
    await expect(page).toHaveURL(/\/console\/migrations\/[0-9a-f-]{36}#source-connection$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${name}: migration from Lago`);

    // Not Lago's API root: refused with the field named.
    const connection = page.getByRole("form", { name: "Source connection" });
    await connection.getByLabel("Lago API URL").fill(lago.apiUrl.replace("/api/v1", ""));
    await connection.getByLabel("Lago API key").fill(apiKey);
    await connection.getByRole("button", { name: "Save connection" }).click();
    await expect(connection.getByRole("alert")).toHaveText("Nothing was saved: check the fields marked below.");
    await expect(connection.getByLabel("Lago API URL")).toHaveAttribute("aria-invalid", "true");
    await expect(connection.getByLabel("Lago API key")).toHaveAttribute("aria-invalid", "false");
    await connection.getByLabel("Lago API URL").fill(lago.apiUrl);
    await connection.getByLabel("Lago API key").fill(apiKey);
    await connection.getByRole("button", { name: "Save connection" }).click();
    await expect(connection.getByRole("status")).toHaveText("Saved: Lago connection and tolerance.");

    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Connected to Lago" })).toHaveText(
      `Connected to Lago — API: ${lago.apiUrl}, customers: 4, billable metrics: 2, plans: 2, subscriptions: 4, invoices: 10.`,
    );

    await page.getByRole("button", { name: "Dry run" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Dry run from Lago started" })).toBeVisible();
    const imports = page.getByRole("region", { name: "Recent imports" });
    await expect(async () => {
      await page.reload();
      await expect(imports.locator("tbody tr").first()).toContainText("dry run");
      await expect(imports.locator("tbody tr").first()).toContainText("succeeded");
    }).toPass({ timeout: 60_000 });
    await expect(imports.locator("tbody tr").first()).toContainText("25 / 0 / 0 / 0 / 0");

    // The key is never shown again; the URL is.
    const saved = page.getByRole("form", { name: "Source connection" });
    await expect(saved.getByLabel("Lago API key")).toHaveValue("");
    await expect(saved).toContainText("Stored encrypted; leave blank to keep it.");
    await expect(saved.getByLabel("Lago API URL")).toHaveValue(lago.apiUrl);
  } finally {
    await lago.stop();
  }
});
