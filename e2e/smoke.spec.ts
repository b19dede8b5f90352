import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createPrismaClient } from "../lib/db/prisma";
import { hashPassword } from "../lib/auth/password";
import { runBillingCycle } from "../lib/invoicing/billing-run";
import { generateApiKey } from "../lib/services/api-keys";

// Every console and portal page reachable from the navigation, as each kind of user: no error page, no console error,
// no failed request, no serious or critical accessibility violation. Screenshots at 1366 px and 390 px go to
// test-results/screens for a look by eye.

const SCREENS = path.join("test-results", "screens");
const WIDTHS = [1366, 390] as const;

interface Watch {
  problems: string[];
}

function watch(page: Page): Watch {
  const watched: Watch = { problems: [] };
  page.on("console", (message) => {
    if (message.type() === "error") watched.problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => watched.problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) => {
    // Prefetches cut short by the next navigation are the browser's doing, not a failure.
    if (request.failure()?.errorText.includes("ERR_ABORTED")) return;
    watched.problems.push(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.url().includes("/api/auth/session")) watched.problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return watched;
}

async function check(page: Page, watched: Watch, url: string, shot: string | null) {
  const response = await page.goto(url);
  expect(response?.status(), url).toBeLessThan(400);
  await page.waitForLoadState("load");
  await expect(page.getByText("This page could not be shown")).toHaveCount(0);
  await expect(page.getByText("Application error")).toHaveCount(0);
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`), url).toEqual([]);
  if (shot) {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      await page.screenshot({ path: path.join(SCREENS, `${shot}-${width}.png`), fullPage: width === 390 });
    }
    await page.setViewportSize({ width: 1366, height: 900 });
  }
  expect(watched.problems, url).toEqual([]);
}

async function staffUser(role: "finance" | "viewer") {
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  try {
    const email = `${role}.${randomUUID().slice(0, 8)}@nexa.example`;
    const password = randomUUID();
    await prisma.staffUser.create({ data: { email, name: `Smoke ${role}`, role, passwordHash: await hashPassword(password) } });
    return { email, password };
  } finally {
    await prisma.$disconnect();
  }
}

async function signInStaff(page: Page, email: string, password: string) {
  await page.goto("/signin?callbackUrl=%2Fconsole");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/console$/);
}

async function navigationHrefs(page: Page, navName: string): Promise<string[]> {
  const hrefs = await page.getByRole("navigation", { name: navName }).getByRole("link").evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).getAttribute("href")!));
  return [...new Set(hrefs)];
}

mkdirSync(SCREENS, { recursive: true });

const staff = [
  { role: "admin", credentials: async () => ({ email: process.env.NEXA_TEST_ADMIN_EMAIL!, password: process.env.NEXA_TEST_ADMIN_PASSWORD! }) },
  { role: "finance", credentials: () => staffUser("finance") },
  { role: "viewer", credentials: () => staffUser("viewer") },
] as const;

for (const { role, credentials } of staff) {
  test(`smoke: every console page from the navigation as ${role}`, async ({ page }) => {
    test.setTimeout(600_000);
    await page.setViewportSize({ width: 1366, height: 900 });
    const { email, password } = await credentials();
    const watched = watch(page);
    await signInStaff(page, email, password);
    const pages = await navigationHrefs(page, "Console");
    expect(pages.length).toBeGreaterThanOrEqual(9);
    for (const href of pages) await check(page, watched, href, role === "admin" ? `console${href.replace(/\//g, "-")}` : null);

    // The first row of the main lists, the header search, and a 404 inside the frame.
    for (const list of ["/console/customers", "/console/invoices", "/console/plans", "/console/services"]) {
      await page.goto(list);
      const first = page.locator("main tbody a[href]").first();
      if (await first.count()) {
        const href = (await first.getAttribute("href"))!;
        await check(page, watched, href, role === "admin" ? `console${list.replace(/\//g, "-")}-detail` : null);
      }
    }
    await page.goto("/console");
    await page.getByRole("searchbox", { name: "Search customers and invoices" }).fill("Nexa");
    await page.getByRole("searchbox", { name: "Search customers and invoices" }).press("Enter");
    await expect(page).toHaveURL(/\/console\/(search\?q=Nexa|customers\/|invoices\/)/);
    await check(page, watched, page.url(), role === "admin" ? "console-search" : null);

    const missing = await page.goto("/console/no-such-page");
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Back to the console" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Console" })).toBeVisible();
    watched.problems.length = 0; // the 404 itself is expected

    // On a phone the sections are behind one menu button.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/console");
    await expect(page.getByRole("navigation", { name: "Console", exact: true })).toBeHidden();
    await page.getByText("Menu", { exact: true }).click();
    await page.getByRole("navigation", { name: "Console menu" }).getByRole("link", { name: "Invoices" }).click();
    await expect(page).toHaveURL(/\/console\/invoices$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, "the console header fits a phone").toBeLessThanOrEqual(0);
  });
}

test("smoke: every portal page from the navigation as a customer", async ({ page, baseURL }) => {
  test.setTimeout(400_000);
  await page.setViewportSize({ width: 1366, height: 900 });
  const suffix = randomUUID().slice(0, 8);
  const key = generateApiKey();
  const prisma = createPrismaClient(process.env.DATABASE_URL);
  let portalUrl: string;
  try {
    const service = await prisma.service.create({ data: { code: `smoke_${suffix}`, name: `Smoke ${suffix}`, mode: "live", apiKeys: { create: { prefix: key.prefix, keyHash: key.hash } } } });
    const call = async (route: string, body?: unknown) => {
      const res = await fetch(`${baseURL}/api/billing/v1${route}`, { method: body ? "POST" : "GET", headers: { Authorization: `Bearer ${key.key}`, "Content-Type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
      expect(res.status, route).toBe(200);
      return res.json();
    };
    await call("/plans", { plan: { name: "Hosting", code: `smoke_${suffix}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false } });
    await call("/customers", { customer: { external_id: `c-${suffix}`, legal_name: `Smoke Studio ${suffix}`, email: `smoke.${suffix}@customer.example`, state: "ON", country: "CA", timezone: "America/Toronto" } });
    await call("/subscriptions", { subscription: { external_customer_id: `c-${suffix}`, plan_code: `smoke_${suffix}`, external_id: `s-${suffix}`, subscription_at: "2026-10-01T04:00:00Z" } });
    await runBillingCycle(prisma, new Date("2026-11-01T12:00:00Z"), { serviceId: service.id });
    portalUrl = (await call(`/customers/c-${suffix}/portal_url`)).customer.portal_url;
  } finally {
    await prisma.$disconnect();
  }
  const watched = watch(page);
  await page.goto(portalUrl);
  await expect(page).toHaveURL(/\/portal$/);
  const pages = await navigationHrefs(page, "Portal");
  expect(pages.length).toBeGreaterThanOrEqual(6);
  for (const href of pages) await check(page, watched, href, `portal${href.replace(/\//g, "-")}`);
  await page.goto("/portal/invoices");
  const invoice = page.locator("main tbody a[href^='/portal/invoices/']").first();
  await check(page, watched, (await invoice.getAttribute("href"))!, "portal-invoice-detail");

  const missing = await page.goto("/portal/no-such-page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("link", { name: "Back to your account" })).toBeVisible();
});
