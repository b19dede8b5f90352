import { expect, test } from "@playwright/test";
import { createApiKey, createService, signIn, suffix } from "./console-helpers";

test("finance staff see a plan's trial, monthly usage and pay-in-advance charges, and a subscription's trial end", async ({ page }) => {
  const s = suffix();
  await signIn(page, "/console/services");
  await createService(page, `e2e_adv_${s}`, `E2E Advance ${s}`);
  const key = await createApiKey(page, "advance");
  const api = async (path: string, data: unknown) => {
    const response = await page.request.post(`/api/billing/v1${path}`, { headers: { Authorization: `Bearer ${key}` }, data });
    expect(response.status(), await response.text()).toBe(200);
    return response.json();
  };
  const metric = await api("/billable_metrics", { billable_metric: { name: "E2E calls", code: `e2e_calls_${s}`, aggregation_type: "count_agg" } });
  await api("/plans", {
    plan: {
      name: `E2E Yearly ${s}`, code: `e2e_yr_${s}`, interval: "yearly", amount_cents: 120000, amount_currency: "CAD", pay_in_advance: true,
      trial_period: 30, bill_charges_monthly: true,
      charges: [{ billable_metric_id: metric.billable_metric.lago_id, charge_model: "standard", pay_in_advance: true, properties: { amount: "0.25" } }],
    },
  });
  await api("/customers", { customer: { external_id: `e2e-adv-${s}`, legal_name: `E2E Trial Customer ${s}`, state: "ON", country: "CA", timezone: "America/Toronto" } });
  const subscribed = await api("/subscriptions", { subscription: { external_customer_id: `e2e-adv-${s}`, plan_code: `e2e_yr_${s}`, external_id: `e2e-adv-sub-${s}` } });

  await page.goto(`/console/plans/e2e_yr_${s}`);
  await expect(page.getByText("30-day trial")).toBeVisible();
  await expect(page.getByText("usage billed monthly")).toBeVisible();
  await expect(page.getByRole("region", { name: `Charge e2e_calls_${s}` })).toContainText("paid in advance (invoiced on each event)");

  await page.goto(`/console/customers/${subscribed.subscription.lago_customer_id}`);
  const row = page.locator("tbody tr").filter({ hasText: `e2e-adv-sub-${s}` }).first();
  await expect(row).toContainText("trial until");
});
