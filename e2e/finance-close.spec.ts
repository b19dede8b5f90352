import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import pg from "pg";
import { addDays, localDate } from "../lib/billing/calendar-date";
import { quarterOf } from "../lib/reports/report-params";
import { signIn } from "./console-helpers";

/** A customer of a live service with two finalized Ontario invoices issued 40 days ago: $113.00 (due 10 days ago) and $56.50 (due in 25 days). */
async function arrangeReceivables(suffix: string, today: string) {
  const ids = { service: randomUUID(), customer: randomUUID(), first: randomUUID(), second: randomUUID() };
  const issued = addDays(today, -40);
  const registration = `E2E${suffix} RT0001`;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`INSERT INTO "Service" (id, code, name, mode, "updatedAt") VALUES ($1, $2, $3, 'live', now())`, [ids.service, `fin_${suffix}`, `Finance E2E ${suffix}`]);
    await client.query(`INSERT INTO "Customer" (id, "legalName", province, country, "updatedAt") VALUES ($1, $2, 'ON', 'CA', now())`, [ids.customer, `Cheque Writer ${suffix} Inc.`]);
    for (const [id, n, subtotal, tax, due] of [[ids.first, 1, 10000, 1300, addDays(today, -10)], [ids.second, 2, 5000, 650, addDays(today, 25)]] as const) {
      await client.query(
        `INSERT INTO "Invoice" (id, number, "customerId", "serviceId", status, "periodStart", "periodEnd", "issuingDate", "paymentDueDate", "subtotalCents", "taxesCents", "totalCents", "finalizedAt", "updatedAt")
         VALUES ($1, $2, $3, $4, 'finalized', $5::date, $5::date, $5::date, $6::date, $7, $8, $9, now(), now())`,
        [id, `INV-E2E-${suffix}-${n}`, ids.customer, ids.service, issued, due, subtotal, tax, subtotal + tax],
      );
      await client.query(
        `INSERT INTO "InvoiceTax" (id, "invoiceId", code, name, rate, "taxableAmountCents", "amountCents", "registrationNumber") VALUES ($1, $2, 'HST', 'HST', 13, $3, $4, $5)`,
        [randomUUID(), id, subtotal, tax, registration],
      );
    }
  } finally {
    await client.end();
  }
  return { ...ids, issued, registration };
}

test("closing a month: a cheque pays two invoices, the aging updates, the journal and the quarter's tax report export", async ({ page }) => {
  const suffix = randomUUID().slice(0, 8);
  const today = localDate(new Date(), "America/Toronto");
  const ledger = await arrangeReceivables(suffix, today);
  const invoiceNumbers = [`INV-E2E-${suffix}-1`, `INV-E2E-${suffix}-2`];

  await signIn(page, `/console/reports/ar-aging?customer=${ledger.customer}`);
  const open = page.getByRole("region", { name: "Open invoices" });
  await expect(open.getByRole("row")).toHaveCount(3); // header + two invoices
  await expect(open.getByRole("row", { name: new RegExp(invoiceNumbers[0]) })).toContainText("1–30");
  await expect(open.getByRole("row", { name: new RegExp(invoiceNumbers[1]) })).toContainText("Current");
  await expect(page.getByTestId("bar-1–30")).toHaveText("$113.00");
  await expect(page.getByTestId("bar-Current")).toHaveText("$56.50");

  // Record cheque: $200.00 pays both ($113.00 + $56.50), $30.50 goes to the credit balance.
  await page.goto(`/console/customers/${ledger.customer}`);
  const form = page.getByRole("form", { name: "Record a payment" });
  await form.getByLabel("Method").selectOption("cheque");
  await form.getByLabel("Reference").fill(`CHQ-${suffix}`);
  await form.getByLabel("Amount received").fill("200.00");
  await form.getByLabel(`Apply to ${invoiceNumbers[0]}`).fill("113.00");
  await form.getByLabel(`Apply to ${invoiceNumbers[1]}`).fill("56.50");
  await form.getByRole("button", { name: "Record payment" }).click();
  await expect(form.getByRole("status")).toContainText("$200.00 recorded: applied to 2 invoice(s), 2 now paid. $30.50 added to the customer's credit balance.");
  await expect(page.getByRole("region", { name: "Offline payments" }).getByRole("link", { name: `CHQ-${suffix}` })).toBeVisible();

  // The aging no longer holds anything of this customer.
  await page.goto(`/console/reports/ar-aging?customer=${ledger.customer}`);
  await expect(page.getByRole("region", { name: "Open invoices" })).toContainText("Nothing is owed.");
  await expect(page.getByTestId("bar-1–30")).toHaveText("$0.00");

  // Today's journal, as QuickBooks CSV: the cheque is a debit to the bank and a credit to receivables, balanced.
  await page.goto(`/console/reports/journal?from=${today}&to=${today}&grouping=day`);
  const [journal] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "QuickBooks CSV" }).click()]);
  expect(journal.suggestedFilename()).toBe(`journal-quickbooks-${today}-to-${today}.csv`);
  const journalCsv = readFileSync(await journal.path(), "utf8").split("\r\n");
  expect(journalCsv[0]).toBe("Journal No,Journal Date,Account,Debits,Credits,Description,Memo");
  const offline = journalCsv.filter((line) => line.endsWith(`Offline payments ${today}`));
  expect(offline.some((line) => /,1010 Bank,\d+\.\d\d,,/.test(line))).toBe(true);
  const sum = (column: number) => offline.reduce((s, line) => s + Math.round(Number(line.split(",")[column] || 0) * 100), 0);
  expect(sum(3)).toBe(sum(4));
  expect(sum(3)).toBeGreaterThanOrEqual(20000);

  // The quarter of the invoices' issue date, from its link; its CSV has this registration's HST to the cent.
  const quarter = quarterOf(Number(ledger.issued.slice(0, 4)), Math.floor((Number(ledger.issued.slice(5, 7)) - 1) / 3) + 1);
  await page.goto("/console/reports/sales-tax");
  await page.getByRole("link", { name: quarter.label, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`from=${quarter.from}&to=${quarter.to}`));
  await expect(page.getByRole("region", { name: "Taxes" })).toContainText(ledger.registration);
  const [tax] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download CSV" }).click()]);
  expect(tax.suggestedFilename()).toBe(`sales-tax-${quarter.from}-to-${quarter.to}.csv`);
  const taxCsv = readFileSync(await tax.path(), "utf8").split("\r\n");
  expect(taxCsv[0]).toBe("period_from,period_to,tax,name,province,rate_percent,registration_number,invoiced_taxable,invoiced_tax,credited_taxable,credited_tax,net_taxable,net_tax");
  expect(taxCsv).toContain(`${quarter.from},${quarter.to},HST,HST,ON,13,${ledger.registration},150.00,19.50,0.00,0.00,150.00,19.50`);
});
