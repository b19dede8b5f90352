import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { signIn } from "./console-helpers";

/** A customer of its own service with a $200.00 invoice issued May 1, 2031, a $50.00 provider cost on May 31 and two audit entries. */
async function arrange(suffix: string) {
  const ids = { service: randomUUID(), customer: randomUUID(), invoice: randomUUID() };
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES ($1, $2, $3, 'live', now())`, [ids.service, `mrg_${suffix}`, `Margin E2E ${suffix}`]);
    await client.query(`INSERT INTO "Customer" (id, "legalName", province, country, "updatedAt") VALUES ($1, $2, 'ON', 'CA', now())`, [ids.customer, `Margin Buyer ${suffix}`]);
    await client.query(
      `INSERT INTO "Invoice" (id, number, "customerId", "serviceId", status, "periodStart", "periodEnd", "issuingDate", "paymentDueDate", "subtotalCents", "taxesCents", "totalCents", "finalizedAt", "updatedAt")
       VALUES ($1, $2, $3, $4, 'finalized', '2031-05-01', '2031-05-01', '2031-05-01', '2031-05-31', 20000, 0, 20000, now(), now())`,
      [ids.invoice, `INV-MRG-${suffix}`, ids.customer, ids.service],
    );
    await client.query(
      `INSERT INTO "ProviderCost" (id, "serviceId", "customerId", "externalCustomerId", "costDate", "costType", "amountCents", currency, "idempotencyKey")
       VALUES ($1, $2, $3, 'x', '2031-05-31', 'model_tokens', 5000, 'CAD', 'e2e')`,
      [randomUUID(), ids.service, ids.customer],
    );
    for (const [action, at] of [["invoice.voided", "2031-06-02T15:00:00Z"], ["credit_note.created", "2031-06-03T15:00:00Z"]]) {
      await client.query(`INSERT INTO "AuditLog" (id, "actorType", action, "entityType", "entityId", data, "createdAt") VALUES ($1, 'system', $2, $3, $4, '{}', $5)`, [randomUUID(), action, `E2E${suffix}`, ids.invoice, at]);
    }
  } finally {
    await client.end();
  }
  return ids;
}

test("margin for a month with its chart and CSV; the audit log filtered and exported", async ({ page }) => {
  const suffix = randomUUID().slice(0, 8);
  const ids = await arrange(suffix);

  await signIn(page, `/console/reports/margin?from=2031-05&to=2031-05&customer=${ids.customer}`);
  await expect(page.getByRole("figure", { name: "Margin by service" })).toContainText("$150.00 (75.00 %)");
  const rows = page.getByRole("region", { name: "Margin by month, service and customer" });
  await expect(rows.getByRole("row", { name: new RegExp(`Margin Buyer ${suffix}`) })).toContainText("model_tokens $50.00");
  const [margin] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(margin.suggestedFilename()).toBe("margin-2031-05-2031-05.csv");
  expect(readFileSync(await margin.path(), "utf8").split("\r\n")).toContain(`2031-05,Margin E2E ${suffix},Margin Buyer ${suffix},200.00,50.00,150.00,75.00,model_tokens=50.00`);

  await page.goto(`/console/reports/audit-log?entity_type=E2E${suffix}`);
  const log = page.getByRole("region", { name: "Audit log" });
  await expect(log.getByRole("row")).toHaveCount(3);
  await page.getByLabel("Action").fill("invoice.");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(log.getByRole("row")).toHaveCount(2);
  await expect(log).toContainText("invoice.voided");
  const [audit] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  const csv = readFileSync(await audit.path(), "utf8").trimEnd().split("\r\n");
  expect(csv).toEqual(["at,actor_type,actor_id,actor,action,entity_type,entity_id,data", `2031-06-02T15:00:00.000Z,system,,system,invoice.voided,E2E${suffix},${ids.invoice},{}`]);
});

test("a USD customer's invoice stays out of the CAD figures and is shown apart on the AR aging, sales tax, journal and console home", async ({ page }) => {
  const suffix = randomUUID().slice(0, 8);
  const ids = { service: randomUUID(), customer: randomUUID(), invoice: randomUUID() };
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES ($1, $2, $3, 'live', now())`, [ids.service, `fx_${suffix}`, `FX E2E ${suffix}`]);
    await client.query(`INSERT INTO "Customer" (id, "legalName", province, country, currency, "updatedAt") VALUES ($1, $2, 'ON', 'CA', 'USD', now())`, [ids.customer, `Maple US ${suffix}`]);
    // $400.00 USD + 13 % HST, issued and due February 13, 2029.
    await client.query(
      `INSERT INTO "Invoice" (id, number, "customerId", "serviceId", status, currency, "periodStart", "periodEnd", "issuingDate", "paymentDueDate", "subtotalCents", "taxesCents", "totalCents", "finalizedAt", "updatedAt")
       VALUES ($1, $2, $3, $4, 'finalized', 'USD', '2029-02-13', '2029-02-13', '2029-02-13', '2029-02-13', 40000, 5200, 45200, now(), now())`,
      [ids.invoice, `INV-FX-${suffix}`, ids.customer, ids.service],
    );
    await client.query(`INSERT INTO "InvoiceTax" (id, "invoiceId", code, name, rate, "taxableAmountCents", "amountCents", "registrationNumber") VALUES ($1, $2, 'HST', 'HST', 13, 40000, 5200, '123456789 RT0001')`, [randomUUID(), ids.invoice]);
  } finally {
    await client.end();
  }

  await signIn(page, `/console/reports/ar-aging?as_of=2029-03-01&customer=${ids.customer}`);
  await expect(page.getByRole("figure", { name: /Receivables by age in CAD \(total \$0\.00\)/ })).toBeVisible();
  const owed = page.getByRole("region", { name: "Owed in other currencies" }).first();
  await expect(owed.getByRole("row", { name: /USD/ })).toContainText("$452.00 USD");
  await expect(page.getByRole("region", { name: "Open invoices" })).toContainText(`INV-FX-${suffix}`);

  await page.goto("/console/reports/sales-tax?from=2029-02-13&to=2029-02-13");
  await expect(page.getByText("Documents in USD: not included")).toBeVisible();
  await expect(page.getByText(/1 invoice\(s\) and 0 credit note\(s\) in USD.*convert each of these invoices and credit notes to Canadian dollars at the exchange rate of its tax point/i)).toBeVisible();
  await expect(page.getByRole("region", { name: "Taxes in USD" }).getByRole("row", { name: /HST/ })).toContainText("$52.00 USD");
  await expect(page.getByTestId("gst-hst-return")).not.toContainText("52.00");

  await page.goto("/console/reports/journal?from=2029-02-13&to=2029-02-13&grouping=day");
  await expect(page.getByRole("note")).toContainText("USD — 1 invoice(s)");

  await page.goto("/console");
  await expect(page.getByRole("note", { name: "Other currencies" })).toContainText("USD:");
});
