import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { generateApiKey } from "../lib/services/api-keys";

const email = process.env.NEXA_TEST_ADMIN_EMAIL!;
const password = process.env.NEXA_TEST_ADMIN_PASSWORD!;

/** A live service with its own key, and a customer subscribed since October 2026 (so October is due for billing). */
async function arrangeDueSubscription(baseURL: string) {
  const suffix = randomUUID().slice(0, 8);
  const key = generateApiKey();
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES ($1, $2, $3, 'live', now())`,
      [randomUUID(), `e2e_${suffix}`, `E2E Service ${suffix}`],
    );
    await client.query(
      `INSERT INTO "ApiKey" (id, "serviceId", prefix, "keyHash") SELECT $1, id, $2, $3 FROM "Service" WHERE code = $4`,
      [randomUUID(), key.prefix, key.hash, `e2e_${suffix}`],
    );
  } finally {
    await client.end();
  }
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${baseURL}/api/billing/v1${path}`, { method: "POST", headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  };
  const customer = `Winnipeg Grain Co-op ${suffix}`;
  await call("/plans", { plan: { name: "Co-op plan", code: `coop_${suffix}`, interval: "monthly", amount_cents: 12000, amount_currency: "CAD", pay_in_advance: false } });
  await call("/customers", { customer: { external_id: `wpg-${suffix}`, legal_name: customer, state: "MB", country: "CA", timezone: "America/Winnipeg" } });
  await call("/subscriptions", { subscription: { external_customer_id: `wpg-${suffix}`, plan_code: `coop_${suffix}`, external_id: `wpg-sub-${suffix}`, subscription_at: "2026-10-01T06:00:00Z" } });
  return { customer };
}

test("staff run billing, open the invoice, credit it with field checks, and void it", async ({ page, baseURL }) => {
  const { customer } = await arrangeDueSubscription(baseURL!);
  await page.goto("/console/invoices");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.goto("/console/invoices");
  await expect(page.getByRole("heading", { name: "Invoices" })).toBeVisible();

  await page.getByRole("button", { name: "Run billing now" }).click();
  await expect(page.getByTestId("billing-run-status")).toHaveText(/succeeded|completed with errors/, { timeout: 45_000 });

  const invoices = page.getByRole("region", { name: "Invoices" });
  await invoices.getByRole("searchbox").fill(customer);
  await expect(page).toHaveURL(/i_q=Winnipeg/);
  // October is closed (billed on November 1); November closes on December 1.
  await expect(invoices.locator("tbody tr")).toHaveCount(1);
  await expect(invoices.getByRole("cell", { name: customer })).toBeVisible();
  await invoices.getByRole("link", { name: /INV-2026-/ }).click();
  await expect(page).toHaveURL(/\/console\/invoices\/[0-9a-f-]{36}$/);

  // Manitoba: GST 5 % + RST 7 % on $120.00 → $6.00 + $8.40 = $134.40.
  await expect(page.getByTestId("invoice-total")).toHaveText("$134.40");
  await expect(page.getByText("GST 5 %")).toBeVisible();
  await expect(page.getByText("RST 7 %")).toBeVisible();

  const creditForm = page.getByRole("form").or(page.locator("form")).filter({ hasText: "Issue a credit note" });
  await creditForm.getByLabel("Amount before tax ($)").fill("12.345");
  await creditForm.getByRole("button", { name: "Issue credit note" }).click();
  await expect(creditForm.getByText("Enter an amount in dollars with at most two decimals, e.g. 12.50")).toBeVisible();
  await creditForm.getByLabel("Amount before tax ($)").fill("500");
  await creditForm.getByRole("button", { name: "Issue credit note" }).click();
  await expect(creditForm.getByRole("status")).toContainText("higher than remaining");
  await creditForm.getByLabel("Amount before tax ($)").fill("20.00");
  await creditForm.getByRole("button", { name: "Issue credit note" }).click();
  await expect(creditForm.getByRole("status")).toContainText(/Credit note CN-\d{4}-\d{6} issued/);
  await page.reload();
  // $20.00 + 12 % tax = $22.40
  await expect(page.getByText(/CN-\d{4}-\d{6} · credit · product unsatisfactory · \$22\.40|CN-\d{4}-\d{6} · credit · duplicated charge · \$22\.40/)).toBeVisible();

  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Void" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Invoice voided." })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("invoice-status")).toHaveText("voided");
});
