import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createPrismaClient } from "../lib/db/prisma";
import { runBillingCycle } from "../lib/invoicing/billing-run";
import { generateApiKey } from "../lib/services/api-keys";
import { waitForMail } from "../tests/support/mail-catcher";

const mailUrl = process.env.NEXA_TEST_MAIL_URL!;

/**
 * A live service with two customers subscribed since October 2026, billed for October: each has one open invoice
 * ($50.00 + 13 % HST = $56.50, Ontario).
 */
async function arrangeTwoCustomersWithOpenInvoices(baseURL: string) {
  const suffix = randomUUID().slice(0, 8);
  const key = generateApiKey();
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  try {
    const service = await prisma.service.create({
      data: { code: `portal_${suffix}`, name: `NexaCloud ${suffix}`, mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } },
    });
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`${baseURL}/api/billing/v1${path}`, { method: "POST", headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    };
    await call("/plans", { plan: { name: "Hosting", code: `host_${suffix}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false } });
    const customers = [];
    for (const who of ["ada", "bob"]) {
      const email = `${who}.${suffix}@customer.example`;
      await call("/customers", { customer: { external_id: `${who}-${suffix}`, legal_name: `${who.toUpperCase()} Studio ${suffix}`, email, state: "ON", country: "CA", timezone: "America/Toronto" } });
      await call("/subscriptions", { subscription: { external_customer_id: `${who}-${suffix}`, plan_code: `host_${suffix}`, external_id: `${who}-sub-${suffix}`, subscription_at: "2026-10-01T04:00:00Z" } });
      customers.push({ email, externalId: `${who}-${suffix}` });
    }
    await runBillingCycle(prisma, new Date("2026-11-01T12:00:00Z"), { serviceId: service.id });
    const invoices = await prisma.invoice.findMany({ where: { serviceId: service.id }, include: { customer: true } });
    const invoiceOf = (email: string) => invoices.find((i) => i.customer.email === email)!;
    return { ada: { ...customers[0], invoice: invoiceOf(customers[0].email) }, bob: { ...customers[1], invoice: invoiceOf(customers[1].email) } };
  } finally {
    await prisma.$disconnect();
  }
}

test("a customer signs in with the e-mailed link, downloads an invoice, saves a card, pays, and sees only their own invoices", async ({ page, baseURL, browser }) => {
  const { ada, bob } = await arrangeTwoCustomersWithOpenInvoices(baseURL!);
  expect(ada.invoice.status).toBe("finalized");

  // Magic link: ask for it, read it from the captured e-mail, open it.
  await page.goto("/portal");
  await expect(page).toHaveURL(/\/portal\/sign-in$/);
  await page.getByLabel("Billing e-mail").fill(ada.email);
  await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
  await expect(page.getByRole("status")).toContainText("Check your e-mail");
  const mail = await waitForMail(mailUrl, ada.email, (m) => m.subject.includes("Sign in"));
  const link = mail.text.match(/https?:\/\/\S+\/api\/auth\/callback\/email\S+/)?.[0];
  expect(link, mail.text).toBeTruthy();
  await page.goto(link!);
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByTestId("portal-amount-due")).toHaveText("$56.50");

  // The link works once: opened again elsewhere, it is refused with a way forward.
  const elsewhere = await browser.newContext();
  const second = await elsewhere.newPage();
  await second.goto(link!);
  await expect(second).toHaveURL(/\/portal\/sign-in\?error=Verification$/);
  await expect(second.getByRole("alert").filter({ hasText: "expired or was already used" })).toBeVisible();
  await elsewhere.close();

  // The invoice, its PDF.
  await page.getByRole("link", { name: "Invoices", exact: true }).click();
  const table = page.getByRole("region", { name: "Invoices" });
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await table.getByRole("link", { name: ada.invoice.number! }).click();
  await expect(page.getByRole("heading", { name: `Invoice ${ada.invoice.number}` })).toBeVisible();
  await expect(page.getByTestId("invoice-status")).toHaveText("Open");
  await expect(page.getByTestId("invoice-total")).toHaveText("$56.50");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download PDF" }).click()]);
  expect(download.suggestedFilename()).toBe(`${ada.invoice.number}.pdf`);
  expect(readFileSync((await download.path())!).subarray(0, 5).toString()).toBe("%PDF-");
  const invoiceUrl = page.url();

  // No card yet: save one on Stripe's page (the local Stripe server's Checkout).
  await expect(page.getByText("Add a card to pay")).toBeVisible();
  await page.getByRole("link", { name: "Payment methods" }).first().click();
  await expect(page.getByText("No card saved yet.")).toBeVisible();
  await page.getByRole("button", { name: "Add a card" }).click();
  await expect(page.getByRole("heading", { name: "Save a card" })).toBeVisible();
  await page.getByLabel("Card number").fill("4242 4242 4242 4242");
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page).toHaveURL(/\/portal\/payment-methods\?outcome=card_saved$/);
  await expect(page.getByRole("status")).toHaveText("Your card is saved.");
  await expect(page.getByTestId("saved-card")).toHaveCount(1);
  await expect(page.getByTestId("saved-card")).toContainText("visa ending in 4242");
  await expect(page.getByTestId("default-card-badge")).toBeVisible();

  // Pay the open invoice with it.
  await page.goto(invoiceUrl);
  await page.getByRole("button", { name: "Pay $56.50 with visa ending in 4242" }).click();
  await expect(page).toHaveURL(/\?payment=received$/);
  await expect(page.getByRole("status")).toHaveText("Payment received. Thank you!");
  await expect(page.getByTestId("invoice-status")).toHaveText("Paid");
  await expect(page.getByTestId("invoice-amount-due")).toHaveText("$0.00");
  await expect(page.getByTestId("payment-row")).toHaveCount(1);
  await expect(page.getByTestId("payment-row")).toContainText("$56.50");
  await expect(page.getByTestId("payment-row")).toContainText("Paid");
  await page.goto("/portal");
  await expect(page.getByTestId("portal-amount-due")).toHaveText("$0.00");

  // Another customer's invoice does not exist for Ada; nor does a made-up one.
  const other = await page.goto(`/portal/invoices/${bob.invoice.id}`);
  expect(other?.status()).toBe(404);
  const madeUp = await page.goto(`/portal/invoices/${randomUUID()}`);
  expect(madeUp?.status()).toBe(404);
});

test("through the app's portal link, a customer sees this period's usage, edits billing details and manages cards", async ({ page, baseURL }) => {
  const suffix = randomUUID().slice(0, 8);
  const key = generateApiKey();
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  try {
    await prisma.service.create({ data: { code: `usage_${suffix}`, name: `Maps API ${suffix}`, mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } } });
  } finally {
    await prisma.$disconnect();
  }
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseURL}/api/billing/v1${path}`, { method, headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" }, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return res.json();
  };
  const metric = (await api("POST", "/billable_metrics", { billable_metric: { name: "Map loads", code: `loads_${suffix}`, aggregation_type: "count_agg" } })).billable_metric;
  await api("POST", "/plans", { plan: { name: "Maps Pro", code: `maps_${suffix}`, interval: "monthly", amount_cents: 2000, amount_currency: "CAD", pay_in_advance: false,
    charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.01" }, included_quantity: "100" }] } });
  await api("POST", "/customers", { customer: { external_id: `cx-${suffix}`, legal_name: `Cartographers ${suffix}`, email: `maps.${suffix}@customer.example`, state: "ON", country: "CA", timezone: "America/Toronto" } });
  await api("POST", "/subscriptions", { subscription: { external_customer_id: `cx-${suffix}`, plan_code: `maps_${suffix}`, external_id: `cx-sub-${suffix}` } });
  await api("POST", "/events/batch", { events: Array.from({ length: 30 }, (_, i) => ({ transaction_id: `load-${i}`, external_subscription_id: `cx-sub-${suffix}`, code: `loads_${suffix}` })) });
  const { customer } = await api("GET", `/customers/cx-${suffix}/portal_url`);

  await page.goto(customer.portal_url);
  await expect(page).toHaveURL(/\/portal$/);
  await expect(page.getByText(`Maps API ${suffix}`)).toBeVisible();

  await page.getByRole("link", { name: "Usage" }).click();
  const usage = page.getByTestId(`usage-loads_${suffix}`);
  await expect(usage).toContainText("Map loads");
  await expect(usage).toContainText("30 so far (100 included)");
  await expect(usage.getByRole("img", { name: "Map loads: units per billing period" })).toBeVisible();

  await page.getByRole("link", { name: "Billing details" }).click();
  await page.getByLabel("Province").fill("ZZ");
  await page.getByRole("button", { name: "Save billing details" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was saved" })).toBeVisible();
  await expect(page.getByText("Not a Canadian province or territory code")).toBeVisible();
  await page.getByLabel("City").fill("Halifax");
  await page.getByLabel("Province").fill("NS");
  await page.getByLabel("Tax number").fill("123456789 RT0001");
  await page.getByRole("button", { name: "Save billing details" }).click();
  await expect(page.getByRole("status")).toContainText("Billing details saved");
  await page.reload();
  await expect(page.getByLabel("Province")).toHaveValue("NS");
  await expect(page.getByLabel("City")).toHaveValue("Halifax");

  // Two cards; the second becomes the default, then the first is removed.
  await page.getByRole("link", { name: "Payment methods" }).click();
  for (const number of ["4242 4242 4242 4242", "5555 5555 5555 4444"]) {
    await page.getByRole("button", { name: "Add a card" }).click();
    await page.getByLabel("Card number").fill(number);
    await page.getByLabel("Expiry (MM / YY)").fill("11 / 33");
    await page.getByLabel("CVC").fill("321");
    await page.getByRole("button", { name: "Save card" }).click();
    await expect(page.getByRole("status")).toHaveText("Your card is saved.");
  }
  const cards = page.getByTestId("saved-card");
  const defaultCard = cards.filter({ has: page.getByTestId("default-card-badge") });
  await expect(cards).toHaveCount(2);
  await expect(defaultCard).toContainText("visa ending in 4242");
  await cards.filter({ hasText: "mastercard ending in 4444" }).getByRole("button", { name: "Make default" }).click();
  await expect(defaultCard).toContainText("mastercard ending in 4444");
  page.once("dialog", (dialog) => void dialog.accept());
  await cards.filter({ hasText: "visa ending in 4242" }).getByRole("button", { name: "Remove" }).click();
  await expect(cards).toHaveCount(1);
  await expect(defaultCard).toContainText("mastercard ending in 4444");
});

test("an address billed on two accounts opens both, one at a time, and nothing else", async ({ page, baseURL }) => {
  const suffix = randomUUID().slice(0, 8);
  const email = `carmen.${suffix}@customer.example`;
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  const accounts: { name: string; invoiceId: string; invoiceNumber: string }[] = [];
  try {
    // Carmen is billed personally by one service and through her studio by another: two customers, one address.
    for (const [who, name] of [["personal", `Carmen Ruiz ${suffix}`], ["studio", `Ruiz Studio ${suffix}`]] as const) {
      const key = generateApiKey();
      const service = await prisma.service.create({ data: { code: `${who}_${suffix}`, name: `${who} service ${suffix}`, mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } } });
      const call = async (path: string, body: unknown) => {
        const res = await fetch(`${baseURL}/api/billing/v1${path}`, { method: "POST", headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
        expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      };
      await call("/plans", { plan: { name: "Plan", code: `plan_${who}_${suffix}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false } });
      await call("/customers", { customer: { external_id: `carmen-${who}`, legal_name: name, email, state: "QC", country: "CA", timezone: "America/Toronto" } });
      await call("/subscriptions", { subscription: { external_customer_id: `carmen-${who}`, plan_code: `plan_${who}_${suffix}`, external_id: `sub-${who}`, subscription_at: "2026-10-01T04:00:00Z" } });
      await runBillingCycle(prisma, new Date("2026-11-01T12:00:00Z"), { serviceId: service.id });
      const invoice = await prisma.invoice.findFirstOrThrow({ where: { serviceId: service.id } });
      accounts.push({ name, invoiceId: invoice.id, invoiceNumber: invoice.number! });
    }
  } finally {
    await prisma.$disconnect();
  }
  const [personal, studio] = accounts;

  await page.goto("/portal/sign-in");
  await page.getByLabel("Billing e-mail").fill(email);
  await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
  const mail = await waitForMail(mailUrl, email, (m) => m.subject.includes("Sign in"));
  await page.goto(mail.text.match(/https?:\/\/\S+\/api\/auth\/callback\/email\S+/)![0]);
  await expect(page).toHaveURL(/\/portal$/);

  // The newest account opens first; the other is one choice away.
  const switcher = page.getByLabel("Billing account");
  await expect(switcher.locator("option")).toHaveText([studio.name, personal.name]);
  await expect(switcher.locator("option:checked")).toHaveText(studio.name);
  await page.goto(`/portal/invoices/${studio.invoiceId}`);
  await expect(page.getByRole("heading", { name: `Invoice ${studio.invoiceNumber}` })).toBeVisible();
  expect((await page.goto(`/portal/invoices/${personal.invoiceId}`))?.status()).toBe(404);

  await page.goto("/portal");
  await page.getByLabel("Billing account").selectOption({ label: personal.name });
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(personal.name);
  await page.goto(`/portal/invoices/${personal.invoiceId}`);
  await expect(page.getByRole("heading", { name: `Invoice ${personal.invoiceNumber}` })).toBeVisible();
  expect((await page.goto(`/portal/invoices/${studio.invoiceId}`))?.status()).toBe(404);

  // Asking the session for an account the address is not on changes nothing.
  const { csrfToken } = await (await page.request.get("/api/auth/csrf")).json();
  const forged = await page.request.post("/api/auth/session", { data: { csrfToken, data: { customerId: randomUUID() } } });
  expect((await forged.json()).user.name).toBe(personal.name);
  await page.goto("/portal");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(personal.name);
});
