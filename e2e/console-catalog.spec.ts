import { expect, test } from "@playwright/test";
import { createApiKey, createService, signIn, suffix } from "./console-helpers";


test("a metric is created, and a field name missing for its aggregation is refused next to the field", async ({ page }) => {
  const code = `e2e_metric_${suffix()}`;
  await signIn(page, "/console/metrics");
  const form = page.getByRole("region", { name: "New metric" });
  await form.getByLabel("Name", { exact: true }).fill("E2E storage");
  await form.getByLabel("Code", { exact: true }).fill(code);
  await form.getByLabel("Aggregation").selectOption("sum");
  await form.getByRole("button", { name: "Create metric" }).click();

  await expect(form.getByRole("alert")).toHaveText(/Nothing was saved/);
  const fieldName = form.getByLabel("Field name");
  await expect(fieldName).toHaveAttribute("aria-invalid", "true");
  await expect(fieldName).toHaveAccessibleDescription(/This aggregation needs a field name\./);
  // What was typed is still there.
  await expect(form.getByLabel("Code", { exact: true })).toHaveValue(code);
  await expect(form.getByLabel("Aggregation")).toHaveValue("sum");

  await fieldName.fill("gigabytes");
  await form.getByRole("button", { name: "Create metric" }).click();
  await expect(form.getByRole("status")).toHaveText(`Metric ${code} created.`);
  await expect(form.getByLabel("Code", { exact: true })).toHaveValue("");

  const table = page.getByRole("region", { name: "Billable metrics" });
  await table.getByRole("searchbox").fill(code);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table.locator("tbody tr")).toContainText("Sum of a field · gigabytes");

  // The metric's page edits it.
  await table.getByRole("link", { name: "E2E storage" }).click();
  await expect(page).toHaveURL(new RegExp(`/console/metrics/${code}$`));
  await page.getByLabel("Name", { exact: true }).fill("E2E storage (GB)");
  await page.getByRole("button", { name: "Save metric" }).click();
  await expect(page.getByRole("status")).toHaveText("Metric saved.");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E storage (GB)");

  // Deleting asks first.
  await page.getByRole("button", { name: "Delete metric" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page).toHaveURL(/\/console\/metrics$/);
  await page.getByRole("region", { name: "Billable metrics" }).getByRole("searchbox").fill(code);
  await expect(page.getByRole("region", { name: "Billable metrics" }).getByText("No rows match this filter.")).toBeVisible();
});

test("a plan with a graduated charge in two tiers is created and listed with its tiers", async ({ page }) => {
  const code = `e2e_plan_${suffix()}`;
  await signIn(page, "/console/plans");
  const form = page.getByRole("region", { name: "New plan" });
  await form.getByLabel("Name", { exact: true }).fill("E2E Metered");
  await form.getByLabel("Code", { exact: true }).fill(code);
  await form.getByLabel("Base amount").fill("10.999");
  await form.getByRole("button", { name: "Add charge" }).click();
  const charge = form.getByRole("group", { name: "Charge 1" });
  await charge.getByLabel("Metric").selectOption({ label: "CPU seconds (cpu_seconds)" });
  await charge.getByLabel("Charge model").selectOption("graduated");
  await charge.getByRole("button", { name: "Add tier" }).click();
  await charge.getByLabel("Charge 1 tier 1 per unit").fill("0.01");
  await charge.getByLabel("Charge 1 tier 2 per unit").fill("0.005");
  await form.getByRole("button", { name: "Create plan" }).click();

  // Both mistakes are reported at their inputs, and nothing typed is lost.
  await expect(form.getByRole("alert")).toHaveText(/Nothing was saved/);
  await expect(form.getByLabel("Base amount")).toHaveAccessibleDescription(/At most two decimals \(whole cents\)\./);
  await expect(form.getByLabel("Base amount")).toHaveValue("10.999");
  await expect(charge.getByLabel("Charge 1 tier 1 up to")).toHaveAccessibleDescription("A whole number above 0.");
  await expect(charge.getByLabel("Charge 1 tier 2 per unit")).toHaveValue("0.005");
  // The dropdowns show what is submitted again, not their first option.
  await expect(charge.getByLabel("Metric").locator("option:checked")).toHaveText("CPU seconds (cpu_seconds)");
  await expect(charge.getByLabel("Charge model")).toHaveValue("graduated");

  await form.getByLabel("Base amount").fill("10.99");
  await charge.getByLabel("Charge 1 tier 1 up to").fill("1000");
  await form.getByRole("button", { name: "Create plan" }).click();
  await expect(page).toHaveURL(new RegExp(`/console/plans/${code}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E Metered");
  await expect(page.getByText("$10.99 monthly")).toBeVisible();
  const tiers = page.getByRole("table", { name: "Tiers of cpu_seconds" });
  await expect(tiers.locator("tbody tr")).toHaveCount(2);
  await expect(tiers.locator("tbody tr").nth(0).locator("td")).toHaveText(["0", "1000", "0.01", "0"]);
  await expect(tiers.locator("tbody tr").nth(1).locator("td")).toHaveText(["1001", "and above", "0.005", "0"]);

  await page.getByRole("link", { name: "Plans", exact: true }).first().click();
  const table = page.getByRole("region", { name: "Plans" });
  await table.getByRole("searchbox").fill(code);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table.locator("tbody tr")).toContainText("$10.99");
  await expect(table.locator("tbody tr")).toContainText("cpu_seconds (graduated)");
});

test("a service's API key is shown once, then only by its prefix; rotating and revoking lock the old key out", async ({ page }) => {
  const code = `e2e_svc_${suffix()}`;
  await signIn(page, "/console/services");
  await createService(page, code, "E2E Service");
  const key = await createApiKey(page, "production");
  await expect(page.getByText("it is shown only this once")).toBeVisible();
  const statusWith = async (apiKey: string) =>
    (await page.request.get("/api/billing/v1/customers", { headers: { Authorization: `Bearer ${apiKey}` } })).status();
  expect(await statusWith(key)).toBe(200);

  await page.reload();
  const keys = page.getByRole("region", { name: "API keys" });
  await expect(keys.getByTestId("revealed-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(key);
  const prefixOf = (text: string) => text.slice(0, "nexa_sk_".length + 8);
  const row = keys.getByRole("row").filter({ hasText: prefixOf(key) });
  await expect(row).toContainText("production");
  await expect(row).toContainText("Active");
  // Its use just now is listed.
  await expect(row).not.toContainText("Never");

  // Rotating shows the new key once and revokes the old one.
  await row.getByRole("button", { name: "Rotate" }).click();
  await row.getByRole("button", { name: "Yes, rotate" }).click();
  await expect(keys.getByRole("status")).toHaveText("Key rotated: the old key no longer works.");
  const rotated = (await keys.getByTestId("revealed-secret").textContent())!;
  expect(rotated).not.toBe(key);
  await expect(row).toContainText("Revoked");
  expect(await statusWith(key)).toBe(401);
  expect(await statusWith(rotated)).toBe(200);

  const rotatedRow = keys.getByRole("row").filter({ hasText: prefixOf(rotated) });
  await expect(rotatedRow).toContainText("production");
  await rotatedRow.getByRole("button", { name: "Revoke" }).click();
  await rotatedRow.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(rotatedRow).toContainText("Revoked");
  expect(await statusWith(rotated)).toBe(401);

  // Webhooks: a plain-http endpoint URL is refused at the field; an endpoint is added with its event types; the signing
  // secret is masked until rotated, then shown once.
  const webhooks = page.getByRole("region", { name: "Webhooks" });
  const endpointForm = webhooks.getByRole("form", { name: "Add a webhook endpoint" });
  await endpointForm.getByLabel("Endpoint URL").fill("http://billing.example.com/hooks");
  await endpointForm.getByRole("button", { name: "Add endpoint" }).click();
  await expect(endpointForm.getByLabel("Endpoint URL")).toHaveAccessibleDescription(/Use https:\/\//);
  await endpointForm.getByLabel("Endpoint URL").fill("https://billing.example.com/hooks");
  await endpointForm.getByLabel("invoice.created").check();
  await endpointForm.getByLabel("invoice.paid").check();
  await endpointForm.getByRole("button", { name: "Add endpoint" }).click();
  await expect(endpointForm.getByRole("status")).toHaveText("Endpoint added: 2 event types go to https://billing.example.com/hooks.");
  const endpointRow = webhooks.getByRole("row").filter({ hasText: "https://billing.example.com/hooks" });
  await expect(endpointRow).toContainText("invoice.created, invoice.paid");
  await expect(endpointRow).toContainText("Active");
  await expect(webhooks.getByTestId("masked-secret")).toHaveText(/^whsec_•+\S{4}$/);
  await webhooks.getByRole("button", { name: "Rotate signing secret" }).click();
  await webhooks.getByRole("button", { name: "Yes, rotate" }).click();
  const secret = webhooks.getByTestId("revealed-secret");
  await expect(secret).toHaveText(/^whsec_\S{40,}$/);
  const lastFour = (await secret.textContent())!.slice(-4);
  await expect(webhooks.getByTestId("masked-secret")).toHaveText(new RegExp(`${lastFour.replace(/[-_]/g, "\\$&")}$`));
  await page.reload();
  await expect(page.getByRole("region", { name: "Webhooks" }).getByTestId("revealed-secret")).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Webhooks" }).getByRole("row").filter({ hasText: "https://billing.example.com/hooks" })).toBeVisible();
});

test("two customers sharing an e-mail are merged and the account links move", async ({ page }) => {
  const s = suffix();
  await signIn(page, "/console/services");
  await createService(page, `e2e_merge_${s}`, "E2E Merge Service");
  const key = await createApiKey(page, "merge");
  const createCustomer = async (externalId: string, legalName: string, mail: string) => {
    const res = await page.request.post("/api/billing/v1/customers", {
      headers: { Authorization: `Bearer ${key}` },
      data: { customer: { external_id: externalId, legal_name: legalName, email: mail, currency: "CAD" } },
    });
    expect(res.status()).toBe(200);
    return ((await res.json()) as { customer: { lago_id: string } }).customer.lago_id;
  };
  await createCustomer(`acct_a_${s}`, `E2E Merge Keeper ${s}`, `billing-${s}@merge.example`);
  const duplicateId = await createCustomer(`acct_b_${s}`, `E2E Merge Duplicate ${s}`, `Billing-${s}@MERGE.example`);

  // From the customer list to the customer's page.
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Customers" }).click();
  const customers = page.getByRole("region", { name: "Customers" });
  await customers.getByRole("searchbox").fill(`Keeper ${s}`);
  await expect(customers.locator("tbody tr")).toHaveCount(1);
  await customers.getByRole("link", { name: `E2E Merge Keeper ${s}` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`E2E Merge Keeper ${s}`);

  const links = page.getByRole("table", { name: "Linked accounts" });
  await expect(links.locator("tbody tr")).toHaveCount(1);
  const candidate = page.getByRole("listitem", { name: `E2E Merge Duplicate ${s}` });
  await expect(candidate).toContainText("same e-mail");
  await candidate.getByRole("button", { name: "Merge into this customer" }).click();
  await candidate.getByRole("button", { name: "Yes, merge" }).click();

  await expect(page.getByRole("region", { name: "Merge candidates" }).getByRole("status"))
    .toHaveText(`E2E Merge Duplicate ${s} merged into this customer: 1 account link, 0 subscriptions, 0 invoices moved.`);
  await expect(links.locator("tbody tr")).toHaveCount(2);
  await expect(links).toContainText(`acct_a_${s}`);
  await expect(links).toContainText(`acct_b_${s}`);
  await expect(page.getByText("No other customer shares this e-mail or tax number.")).toBeVisible();

  // The merged customer is gone, and the service's account now resolves to the kept one.
  await page.goto(`/console/customers/${duplicateId}`);
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  const found = await page.request.get(`/api/billing/v1/customers/acct_b_${s}`, { headers: { Authorization: `Bearer ${key}` } });
  expect(((await found.json()) as { customer: { legal_name: string } }).customer.legal_name).toBe(`E2E Merge Keeper ${s}`);
});
