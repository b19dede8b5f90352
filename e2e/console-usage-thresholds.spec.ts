import { expect, test } from "@playwright/test";
import { createApiKey, createService, signIn, suffix } from "./console-helpers";

test("a plan's usage thresholds show on its page and a subscription's alerts on the customer's page", async ({ page }) => {
  const s = suffix();
  await signIn(page, "/console/services");
  await createService(page, `e2e_thr_${s}`, `E2E Thresholds ${s}`);
  const key = await createApiKey(page, "thresholds");
  const api = async (path: string, data: unknown) => {
    const response = await page.request.post(`/api/billing/v1${path}`, { headers: { Authorization: `Bearer ${key}` }, data });
    expect(response.status(), path).toBe(200);
    return response.json();
  };
  const metric = (await api("/billable_metrics", { billable_metric: { name: "E2E calls", code: `e2e_calls_${s}`, aggregation_type: "sum_agg", field_name: "calls" } })).billable_metric;
  await api("/plans", {
    plan: {
      name: "E2E progressive", code: `e2e_prog_${s}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "1" } }],
      usage_thresholds: [{ amount_cents: 5000, threshold_display_name: "First $50" }, { amount_cents: 2500, recurring: true }],
    },
  });
  const customer = (await api("/customers", { customer: { external_id: `c-${s}`, name: "Threshold Widgets Inc.", country: "CA", state: "ON" } })).customer;
  await api("/subscriptions", { subscription: { external_customer_id: `c-${s}`, plan_code: `e2e_prog_${s}`, external_id: `sub-${s}` } });
  await api(`/subscriptions/sub-${s}/alerts`, { alert: { alert_type: "billable_metric_current_usage_units", code: "calls_watch", name: "Calls watch", billable_metric_code: metric.code, thresholds: [{ value: "1000" }] } });

  await page.goto(`/console/plans/e2e_prog_${s}`);
  const thresholds = page.getByRole("region", { name: "Thresholds of the plan" });
  await expect(thresholds.locator("tbody tr")).toHaveCount(2);
  await expect(thresholds.locator("tbody tr").nth(0)).toContainText("$50.00");
  await expect(thresholds.locator("tbody tr").nth(0)).toContainText("First $50");
  await expect(thresholds.locator("tbody tr").nth(1)).toContainText("every $25.00 above the last fixed threshold");

  await page.goto(`/console/customers/${customer.lago_id}`);
  const alerts = page.getByRole("region", { name: "Usage alerts" });
  await expect(alerts.locator("tbody tr")).toHaveCount(1);
  await expect(alerts.locator("tbody tr")).toContainText(`sub-${s}`);
  await expect(alerts.locator("tbody tr")).toContainText("Calls watch (calls_watch)");
  await expect(alerts.locator("tbody tr")).toContainText(`${metric.code} units`);
  await expect(alerts.locator("tbody tr")).toContainText("never");
});
