import { expect, test } from "@playwright/test";
import { signIn, suffix } from "./console-helpers";

test("a customer and a subscription are created in the console, upgraded, and the customer page shows it", async ({ page }) => {
  const s = suffix();
  const name = `E2E Hub ${s} Inc.`;
  await signIn(page, "/console/customers");

  const form = page.getByRole("region", { name: "New customer" });
  await form.getByLabel("Account id in the service").fill(`hub-${s}`);
  await form.getByLabel("Legal name").fill(name);
  await form.getByRole("button", { name: "Create customer" }).click();
  // The API's rules: a service is required.
  await expect(form.getByRole("alert")).toBeVisible();
  await expect(form.getByLabel("Legal name")).toHaveValue(name);
  await form.getByLabel("Service", { exact: true }).selectOption({ label: "NexaChat (nexachat)" });
  await form.getByLabel("Billing e-mail").fill(`hub-${s}@customer.example`);
  await form.getByLabel("Province").fill("ON");
  await form.getByRole("button", { name: "Create customer" }).click();
  await expect(page).toHaveURL(/\/console\/customers\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(page.getByRole("table", { name: "Linked accounts" })).toContainText(`hub-${s}`);

  const start = page.getByRole("form", { name: "Start a subscription" });
  await start.getByLabel("Plan", { exact: true }).selectOption("chat_team");
  await start.getByLabel("Subscription id").fill(`sub-${s}`);
  await start.getByRole("button", { name: "Start subscription" }).click();
  await expect(start.getByRole("status")).toHaveText(`Subscription sub-${s} started on Chat Team.`);
  const subscriptions = page.getByRole("region", { name: "Subscriptions" }).getByRole("region", { name: "Subscriptions" });
  await expect(subscriptions.locator("tbody tr")).toHaveCount(1);
  await expect(subscriptions.locator("tbody tr").first()).toContainText("Chat Team");
  await expect(subscriptions.locator("tbody tr").first()).toContainText("active");

  // Upgrade: a dearer plan (yearly equivalent) applies at once; the old subscription ends today.
  const running = page.getByRole("list", { name: "Running subscriptions" }).getByRole("listitem", { name: `sub-${s}` });
  await running.getByLabel(`New plan for sub-${s}`).selectOption("chat_business_yearly");
  await running.getByRole("button", { name: "Change plan" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Upgraded" })).toBeVisible();
  await expect(subscriptions.locator("tbody tr")).toHaveCount(2);
  await expect(subscriptions.locator("tbody tr").nth(0)).toContainText("Chat Business (yearly)");
  await expect(subscriptions.locator("tbody tr").nth(0)).toContainText("active");
  await expect(subscriptions.locator("tbody tr").nth(1)).toContainText("Chat Team");
  await expect(subscriptions.locator("tbody tr").nth(1)).toContainText("terminated");

  // Terminating asks first, then ends it.
  const upgraded = page.getByRole("list", { name: "Running subscriptions" }).getByRole("listitem", { name: `sub-${s}` });
  await upgraded.getByRole("button", { name: "Terminate" }).click();
  await upgraded.getByRole("button", { name: "Yes, terminate" }).click();
  await expect(page.getByRole("list", { name: "Running subscriptions" })).toHaveCount(0);
  await expect(subscriptions.locator("tbody tr").nth(0)).toContainText("terminated");
});

test("finance sets a subscription's negotiated fee on the customer page; the list price stays on the plan", async ({ page }) => {
  const s = suffix();
  await signIn(page, "/console/customers");
  const form = page.getByRole("region", { name: "New customer" });
  await form.getByLabel("Service", { exact: true }).selectOption({ label: "NexaChat (nexachat)" });
  await form.getByLabel("Account id in the service").fill(`deal-${s}`);
  await form.getByLabel("Legal name").fill(`E2E Deal ${s} Inc.`);
  await form.getByLabel("Province").fill("ON");
  await form.getByRole("button", { name: "Create customer" }).click();
  await expect(page).toHaveURL(/\/console\/customers\/[0-9a-f-]{36}$/);
  const start = page.getByRole("form", { name: "Start a subscription" });
  await start.getByLabel("Plan", { exact: true }).selectOption("chat_team");
  await start.getByLabel("Subscription id").fill(`deal-sub-${s}`);
  await start.getByRole("button", { name: "Start subscription" }).click();
  await expect(start.getByRole("status")).toContainText("started");

  const negotiated = page.getByRole("form", { name: `Negotiated price of deal-sub-${s}` });
  await negotiated.getByLabel(`Negotiated fee of deal-sub-${s} (CAD per period)`).fill("abc");
  await negotiated.getByRole("button", { name: "Set negotiated fee" }).click();
  await expect(negotiated.getByRole("alert")).toBeVisible();
  await negotiated.getByLabel(`Negotiated fee of deal-sub-${s} (CAD per period)`).fill("19.00");
  await negotiated.getByRole("button", { name: "Set negotiated fee" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Subscription deal-sub-${s} is now billed its negotiated fee` })).toBeVisible();
  const row = page.getByRole("region", { name: "Subscriptions" }).getByRole("region", { name: "Subscriptions" }).locator("tbody tr").first();
  await expect(row).toContainText("negotiated $19.00 monthly");
  await expect(row).toContainText("list $");
});
