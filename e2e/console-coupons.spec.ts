import { expect, test } from "@playwright/test";
import { createService, signIn, suffix } from "./console-helpers";

test("finance creates a coupon (a missing rate refused at the field), terminates it, and creates an add-on", async ({ page }) => {
  const id = suffix();
  const service = `e2e_cpn_${id}`;
  await signIn(page, "/console/services");
  await createService(page, service, `Coupons ${id}`);

  await page.goto("/console/coupons");
  const form = page.getByRole("form", { name: "New coupon" });
  await form.getByLabel("Service").selectOption({ label: `${service} — Coupons ${id}` });
  await form.getByLabel("Name", { exact: true }).fill("Ten percent");
  await form.getByLabel("Code", { exact: true }).fill(`TEN_${id}`);
  await form.getByLabel("Type").selectOption("percentage");
  await form.getByLabel("Frequency").selectOption("forever");
  await form.getByRole("button", { name: "Create coupon" }).click();
  await expect(form.getByRole("alert")).toBeVisible();
  await expect(form.getByLabel("Percentage")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Percentage").fill("10");
  await form.getByRole("button", { name: "Create coupon" }).click();
  await expect(form.getByRole("status")).toHaveText(`Coupon TEN_${id} created.`);

  const coupons = page.getByRole("region", { name: "Coupons", exact: true });
  const row = coupons.locator("tbody tr", { hasText: `TEN_${id}` });
  await expect(row).toContainText("10 % off, forever");
  await expect(row).toContainText(service);
  await row.getByRole("button", { name: "Terminate" }).click();
  await row.getByRole("button", { name: "Terminate" }).click();
  await expect(row).toContainText("terminated");

  const addOn = page.getByRole("form", { name: "New add-on" });
  await addOn.getByLabel("Service").selectOption({ label: `${service} — Coupons ${id}` });
  await addOn.getByLabel("Name", { exact: true }).fill("Setup");
  await addOn.getByLabel("Code", { exact: true }).fill(`setup_${id}`);
  await addOn.getByLabel("Price ($)").fill("25.00");
  await addOn.getByRole("button", { name: "Create add-on" }).click();
  await expect(addOn.getByRole("status")).toHaveText(`Add-on setup_${id} created.`);
  await expect(page.getByRole("region", { name: "Add-ons" }).locator("tbody tr", { hasText: `setup_${id}` })).toContainText("25.00");
});
