import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { createPrismaClient } from "../lib/db/prisma";
import { runBillingCycle } from "../lib/invoicing/billing-run";
import { runCollections } from "../lib/payments/collections";
import { generateApiKey } from "../lib/services/api-keys";
import { waitForMail } from "../tests/support/mail-catcher";

const mailUrl = process.env.NEXA_TEST_MAIL_URL!;

/** A live service with one customer subscribed since October 2026 and billed for October ($56.50 with HST). */
async function arrangeCustomerWithOpenInvoice(baseURL: string) {
  const suffix = randomUUID().slice(0, 8);
  const key = generateApiKey();
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  try {
    const service = await prisma.service.create({
      data: { code: `threeds_${suffix}`, name: `NexaCloud ${suffix}`, mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } },
    });
    const call = async (path: string, body: unknown) => {
      const res = await fetch(`${baseURL}/api/billing/v1${path}`, { method: "POST", headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    };
    const email = `sca.${suffix}@customer.example`;
    await call("/plans", { plan: { name: "Hosting", code: `host_${suffix}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false } });
    await call("/customers", { customer: { external_id: `sca-${suffix}`, legal_name: `SCA Studio ${suffix}`, email, state: "ON", country: "CA", timezone: "America/Toronto" } });
    await call("/subscriptions", { subscription: { external_customer_id: `sca-${suffix}`, plan_code: `host_${suffix}`, external_id: `sca-sub-${suffix}`, subscription_at: "2026-10-01T04:00:00Z" } });
    await runBillingCycle(prisma, new Date("2026-11-01T12:00:00Z"), { serviceId: service.id });
    const invoice = await prisma.invoice.findFirstOrThrow({ where: { serviceId: service.id } });
    return { email, invoice, serviceId: service.id };
  } finally {
    await prisma.$disconnect();
  }
}

test("a customer whose card needs 3D Secure is asked to pay, pays the invoice on-session and sees it paid", async ({ page, baseURL }) => {
  test.setTimeout(150_000); // sign-in, Checkout, the collection pass and 3D Secure: several full page loads on a shared machine
  const { email, invoice, serviceId } = await arrangeCustomerWithOpenInvoice(baseURL!);

  await page.goto("/portal/sign-in");
  await page.getByLabel("Billing e-mail").fill(email);
  await page.getByRole("button", { name: "E-mail me a sign-in link" }).click();
  const mail = await waitForMail(mailUrl, email, (m) => m.subject.includes("Sign in"));
  await page.goto(mail.text.match(/https?:\/\/\S+\/api\/auth\/callback\/email\S+/)![0]);
  await expect(page).toHaveURL(/\/portal$/);

  // Save a card whose bank asks for authentication on every payment.
  await page.goto("/portal/payment-methods");
  await page.getByRole("button", { name: "Add a card" }).click();
  await page.getByLabel("Card number").fill("4000 0027 6000 3184");
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page.getByTestId("saved-card")).toContainText("visa ending in 3184");

  // The automatic off-session charge cannot authenticate: the customer is e-mailed a pay link instead of a decline.
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  try {
    const summary = await runCollections(prisma, new Date(), { serviceId });
    expect(summary.actionRequired).toBe(1);
  } finally {
    await prisma.$disconnect();
  }
  const ask = await waitForMail(mailUrl, email, (m) => m.subject.startsWith("Action needed"));
  const payLink = ask.text.match(/https?:\/\/\S+\/portal\/invoices\/[0-9a-f-]+/)![0];
  expect(payLink).toContain(invoice.id);

  await page.goto(new URL(payLink).pathname);
  await expect(page.getByTestId("invoice-status")).toHaveText("Open");
  await expect(page.getByTestId("authentication-needed")).toBeVisible();
  await page.getByRole("button", { name: "Pay $56.50 with visa ending in 3184" }).click();

  // Stripe's 3D Secure page (the local Stripe server's), then back to the invoice.
  await expect(page.getByRole("heading", { name: "3D Secure test payment" })).toBeVisible();
  await expect(page.getByText("$56.50 CAD")).toBeVisible();
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await expect(page).toHaveURL(new RegExp(`/portal/invoices/${invoice.id}\\?payment=received$`));
  await expect(page.getByRole("status")).toHaveText("Payment received. Thank you!");
  await expect(page.getByTestId("invoice-status")).toHaveText("Paid");
  await expect(page.getByTestId("invoice-amount-due")).toHaveText("$0.00");
});
