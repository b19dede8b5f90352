import { beforeAll, describe, expect, it } from "vitest";
import { executeBillingRun } from "@/lib/jobs/billing-jobs";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { builtAction, callFormAction } from "../support/server-action-http";
import { staffSession } from "../support/staff-sign-in";

/**
 * One customer's bad data never blocks anyone's billing: a group that cannot be billed is quarantined with its reason,
 * the run finishes "completed_with_errors", later runs skip it, the console shows it with how to fix it, and once
 * staff fix the data and release it the next run bills it. Real Postgres; the console over real HTTP.
 */
describe("billing quarantine", () => {
  let svc: TestService;
  const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");
  const subOf = (externalId: string) => testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId } });
  const quarantined = () => testDb().billingQuarantine.findMany({ where: { serviceId: svc.id }, orderBy: { code: "asc" } });

  beforeAll(async () => {
    svc = await createTestService("live");
    const p = svc.code;
    const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Calls", code: `calls_${p}`, aggregation_type: "sum_agg", field_name: "n" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: { name: "Std", code: `std_${p}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.02" } }] },
    });
    for (const name of ["good", "huge", "epoch"]) {
      await svc.lago.customers.createCustomer({ customer: { external_id: name, legal_name: `Quarantine ${name} ${p}`, country: "CA", state: "ON", timezone: "America/Toronto" } });
      await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: name, plan_code: `std_${p}`, external_id: `sub-${name}`, subscription_at: "2026-10-01T04:00:00Z" } });
    }
    // Bad data as it arrives from imports and old systems: usage too large to bill, and a subscription dated 1970.
    const huge = await subOf("sub-huge");
    await testDb().usageRollup.create({
      data: { serviceId: svc.id, subscriptionId: huge.id, billableMetricId: metric.lago_id, periodStart: new Date("2026-10-02T00:00:00Z"), periodEnd: new Date("2026-10-03T00:00:00Z"), value: "10000000000000000000000000", idempotencyKey: "huge-1" },
    });
    const epoch = await subOf("sub-epoch");
    await testDb().subscription.update({ where: { id: epoch.id }, data: { startedAt: new Date(0), subscriptionAt: new Date(0), nextBillingAt: new Date("1970-02-01T05:00:00Z") } });
  });

  it("bills everyone else, quarantines the two bad groups with their reasons, and completes with errors", async () => {
    const summary = await executeBillingRun(testDb(), { trigger: "console", serviceId: svc.id }, CLOSE_AT);
    expect(summary.invoicesCreated).toBe(1);
    const run = await testDb().billingRun.findUniqueOrThrow({ where: { id: summary.billingRunId } });
    expect(run.status).toBe("completed_with_errors");
    expect(run.failures).toBe(2);

    const good = await subOf("sub-good");
    expect(await testDb().invoice.count({ where: { customerId: good.customerId, serviceId: svc.id } })).toBe(1);
    const rows = await quarantined();
    expect(rows.map((r) => r.code)).toEqual(["implausible_billing_date", "value_out_of_range"]);
    expect(rows[0].reason).toContain("1970-02-01");
    expect(rows.every((r) => r.releasedAt === null && r.attempts === 1)).toBe(true);
  });

  it("skips quarantined groups on the next run, which succeeds", async () => {
    const summary = await executeBillingRun(testDb(), { trigger: "console", serviceId: svc.id }, CLOSE_AT);
    expect(summary.failures).toEqual([]);
    expect((await testDb().billingRun.findUniqueOrThrow({ where: { id: summary.billingRunId } })).status).toBe("succeeded");
    expect((await quarantined()).map((r) => r.attempts)).toEqual([1, 1]);
  });

  it("shows staff the quarantined groups with their reason and how to fix them", async () => {
    const finance = await staffSession("finance");
    const page = await fetch(`${testEnv.baseUrl}/console/invoices`, { headers: { Cookie: finance.cookies } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Quarantined billing");
    expect(html).toContain(`Quarantine huge ${svc.code}`);
    expect(html).toContain("too large to bill");
    expect(html).toContain("correct its start date");
  });

  it("bills the group on the next run once the data is fixed and staff release it", async () => {
    await testDb().usageRollup.deleteMany({ where: { serviceId: svc.id, idempotencyKey: "huge-1" } });
    const row = (await quarantined()).find((r) => r.code === "value_out_of_range")!;
    const finance = await staffSession("finance");
    const released = await callFormAction(builtAction("releaseQuarantineAction"), finance.cookies, { bound: [row.id] });
    expect(released.text).toContain("Released");
    const summary = await executeBillingRun(testDb(), { trigger: "console", serviceId: svc.id }, CLOSE_AT);
    expect(summary.invoicesCreated).toBe(1);
    expect(summary.failures).toEqual([]);
    expect((await subOf("sub-huge")).nextBillingAt!.getTime()).toBeGreaterThan(new Date("2026-11-01T04:00:00Z").getTime());
    // The 1970 group stays set aside until someone fixes it.
    await testDb().subscription.updateMany({ where: { serviceId: svc.id, externalId: "sub-epoch" }, data: { status: "canceled" } });
  });
});
