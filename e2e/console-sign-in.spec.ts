import { expect, test } from "@playwright/test";

const email = process.env.NEXA_TEST_ADMIN_EMAIL!;
const password = process.env.NEXA_TEST_ADMIN_PASSWORD!;

test("anonymous visitors are sent to sign-in", async ({ page }) => {
  await page.goto("/console");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fconsole/);
  await expect(page.getByRole("heading", { name: "Nexa Billing" })).toBeVisible();
});

test("bad credentials show a clear error", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Incorrect" })).toHaveText("Incorrect e-mail or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("the admin signs in and works the service and customer tables", async ({ page }) => {
  await page.goto("/console");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByText("Demo Admin")).toBeVisible();

  const services = page.getByRole("region", { name: "Services" });
  await expect(services.getByRole("cell", { name: "NexaCloud", exact: true })).toBeVisible();
  await expect(services.getByRole("cell", { name: "NexaChat", exact: true })).toBeVisible();

  const customers = page.getByRole("region", { name: "Customers" });
  await expect(customers.locator("tbody tr")).toHaveCount(3);

  // Server-side filter: written to the URL, the page re-queried.
  await customers.getByRole("searchbox").fill("kelp");
  await expect(page).toHaveURL(/c_q=kelp/);
  await expect(customers.locator("tbody tr")).toHaveCount(1);
  await expect(customers.getByRole("cell", { name: "Coastal Kelp Analytics Ltd." })).toBeVisible();
  await customers.getByRole("searchbox").fill("");
  await expect(customers.locator("tbody tr")).toHaveCount(3);

  // Server-side sort by legal name, descending.
  await customers.getByRole("button", { name: /Legal name/ }).click();
  await expect(page).toHaveURL(/c_sort=legalName&c_dir=desc|c_dir=desc/);
  await expect(customers.locator("tbody tr").first()).toContainText("Maple Leaf Robotics");

  // Server-side pagination is offered and bounded.
  await expect(customers.getByText("Page 1 of 1")).toBeVisible();
  await expect(customers.getByRole("button", { name: "Next" })).toBeDisabled();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/console");
  await expect(page).toHaveURL(/\/signin/);
});
