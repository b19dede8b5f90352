import { beforeAll, describe, expect, it } from "vitest";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";

describe("billable metrics and plans API (official Lago client)", () => {
  let svc: TestService;
  let p: string;
  beforeAll(async () => {
    svc = await createTestService();
    p = svc.code;
  });

  it("creates, reads, lists, updates and deletes a metric", async () => {
    const created = await svc.lago.billableMetrics.createBillableMetric({
      billable_metric: { name: "Storage", code: `storage_${p}`, aggregation_type: "sum_agg", field_name: "gb", recurring: true, description: "GB stored" },
    });
    expect(created.data.billable_metric).toMatchObject({ code: `storage_${p}`, aggregation_type: "sum_agg", field_name: "gb", recurring: true });
    const found = await svc.lago.billableMetrics.findBillableMetric(`storage_${p}`);
    expect(found.data.billable_metric.lago_id).toBe(created.data.billable_metric.lago_id);
    const list = await svc.lago.billableMetrics.findAllBillableMetrics({ per_page: 100 });
    expect(list.data.billable_metrics.map((m: { code: string }) => m.code)).toContain(`storage_${p}`);
    expect(list.data.meta.total_count).toBeGreaterThan(0);
    const updated = await svc.lago.billableMetrics.updateBillableMetric(`storage_${p}`, { billable_metric: { name: "Storage (GB)", aggregation_type: "max_agg", recurring: false } });
    expect(updated.data.billable_metric).toMatchObject({ name: "Storage (GB)", aggregation_type: "max_agg" });
    const deleted = await svc.lago.billableMetrics.destroyBillableMetric(`storage_${p}`);
    expect(deleted.data.billable_metric.code).toBe(`storage_${p}`);
    expect((await lagoFailure(svc.lago.billableMetrics.findBillableMetric(`storage_${p}`))).body).toMatchObject({ status: 404, code: "billable_metric_not_found" });
    // A deleted code may be used again.
    await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Storage", code: `storage_${p}`, aggregation_type: "count_agg" } });
  });

  it("refuses invalid metrics with Lago's codes", async () => {
    const noField = await lagoFailure(svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "X", code: `x_${p}`, aggregation_type: "sum_agg" } }));
    expect(noField.body).toMatchObject({ status: 422, error_details: { field_name: ["value_is_mandatory"] } });
    const recurringCount = await lagoFailure(svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "X", code: `x_${p}`, aggregation_type: "count_agg", recurring: true } }));
    expect(recurringCount.body).toMatchObject({ error_details: { recurring: ["not_compatible_with_aggregation_type"] } });
    const badType = await lagoFailure(svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "X", code: `x_${p}`, aggregation_type: "median_agg" as never } }));
    expect(badType.body).toMatchObject({ error_details: { aggregation_type: ["value_is_invalid"] } });
    const duplicate = await lagoFailure(svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Dup", code: `storage_${p}`, aggregation_type: "count_agg" } }));
    expect(duplicate.body).toMatchObject({ error_details: { code: ["value_already_exist"] } });
  });

  it("creates a plan with charges of every model and reads it back", async () => {
    const calls = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Calls", code: `calls_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    const created = await svc.lago.plans.createPlan({
      plan: {
        name: "Team", code: `team_${p}`, interval: "monthly", amount_cents: 4900, amount_currency: "CAD", pay_in_advance: true,
        charges: [
          { billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: "0.002" } },
          { billable_metric_id: calls.lago_id, code: "calls_graduated", charge_model: "graduated", properties: { graduated_ranges: [
            { from_value: 0, to_value: 1000, per_unit_amount: "0", flat_amount: "0" },
            { from_value: 1001, to_value: null, per_unit_amount: "0.001", flat_amount: "2" },
          ] } },
          { billable_metric_id: calls.lago_id, code: "calls_volume", charge_model: "volume", properties: { volume_ranges: [
            { from_value: 0, to_value: 100, per_unit_amount: "1", flat_amount: "0" },
            { from_value: 101, to_value: null, per_unit_amount: "0.5", flat_amount: "0" },
          ] } },
          { billable_metric_id: calls.lago_id, code: "calls_package", charge_model: "package", properties: { amount: "5", package_size: 1000, free_units: 100 } },
        ],
      },
    });
    const plan = created.data.plan;
    expect(plan).toMatchObject({ code: `team_${p}`, interval: "monthly", amount_cents: 4900, amount_currency: "CAD", pay_in_advance: true });
    expect(plan.charges.map((c: { code: string; charge_model: string }) => [c.code, c.charge_model])).toEqual([
      [`calls_${p}`, "standard"], ["calls_graduated", "graduated"], ["calls_volume", "volume"], ["calls_package", "package"],
    ]);
    expect(plan.charges[0]).toMatchObject({ billable_metric_code: `calls_${p}`, lago_billable_metric_id: calls.lago_id, properties: { amount: "0.002" } });
    const found = await svc.lago.plans.findPlan(`team_${p}`);
    expect(found.data.plan.charges).toHaveLength(4);
    const list = await svc.lago.plans.findAllPlans({ per_page: 100 });
    expect(list.data.plans.some((x: { code: string }) => x.code === `team_${p}`)).toBe(true);
  });

  it("replaces the charge list on update: kept, changed, added, removed", async () => {
    const plan = (await svc.lago.plans.findPlan(`team_${p}`)).data.plan;
    const [standard, graduated] = plan.charges;
    const updated = await svc.lago.plans.updatePlan(`team_${p}`, {
      plan: {
        name: "Team (2027)", amount_cents: 5900,
        charges: [
          { id: standard.lago_id, billable_metric_id: standard.lago_billable_metric_id, charge_model: "standard", properties: { amount: "0.003" } },
          { id: graduated.lago_id, billable_metric_id: graduated.lago_billable_metric_id, code: "calls_graduated", charge_model: "graduated", properties: graduated.properties },
        ],
      } as never,
    });
    const charges = updated.data.plan.charges;
    expect(updated.data.plan).toMatchObject({ name: "Team (2027)", amount_cents: 5900 });
    expect(charges.map((c: { lago_id: string }) => c.lago_id)).toEqual([standard.lago_id, graduated.lago_id]);
    expect(charges[0].properties).toEqual({ amount: "0.003" });
    expect(await testDb().charge.count({ where: { planId: plan.lago_id, deletedAt: { not: null } } })).toBe(2);
  });

  it("refuses bad charges without writing the plan", async () => {
    const calls = (await svc.lago.billableMetrics.findBillableMetric(`calls_${p}`)).data.billable_metric;
    const numberAmount = await lagoFailure(svc.lago.plans.createPlan({
      plan: { name: "Bad", code: `bad_${p}`, interval: "monthly", amount_cents: 100, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: 0.05 as never } }] },
    }));
    expect(numberAmount.body).toMatchObject({ status: 422, code: "validation_errors", error_details: { "charges.0.properties.amount": ["invalid_amount"] } });
    const gap = await lagoFailure(svc.lago.plans.createPlan({
      plan: { name: "Bad", code: `bad_${p}`, interval: "monthly", amount_cents: 100, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "graduated", properties: { graduated_ranges: [{ from_value: 5, to_value: null, per_unit_amount: "1", flat_amount: "0" }] } }] },
    }));
    expect(gap.body).toMatchObject({ status: 422, code: "validation_errors" });
    const unknownMetric = await lagoFailure(svc.lago.plans.createPlan({
      plan: { name: "Bad", code: `bad_${p}`, interval: "monthly", amount_cents: 100, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: "00000000-0000-4000-8000-000000000000", charge_model: "standard", properties: { amount: "1" } }] },
    }));
    expect(unknownMetric.body).toMatchObject({ status: 404, code: "billable_metrics_not_found" });
    const badInterval = await lagoFailure(svc.lago.plans.createPlan({ plan: { name: "Bad", code: `bad_${p}`, interval: "daily" as never, amount_cents: 100, amount_currency: "CAD", pay_in_advance: false } }));
    expect(badInterval.body).toMatchObject({ error_details: { interval: ["value_is_invalid"] } });
    const negative = await lagoFailure(svc.lago.plans.createPlan({ plan: { name: "Bad", code: `bad_${p}`, interval: "monthly", amount_cents: -1, amount_currency: "CAD", pay_in_advance: false } }));
    expect(negative.body).toMatchObject({ error_details: { amount_cents: ["value_is_out_of_range"] } });
    expect(await testDb().plan.count({ where: { code: `bad_${p}` } })).toBe(0);
  });

  it("deletes a plan and terminates its subscriptions", async () => {
    await svc.lago.plans.createPlan({ plan: { name: "Short", code: `short_${p}`, interval: "monthly", amount_cents: 100, amount_currency: "CAD", pay_in_advance: false } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "plan-del", plan_code: `short_${p}`, external_id: `sub-short-${p}` } });
    const deleted = await svc.lago.plans.destroyPlan(`short_${p}`);
    expect(deleted.data.plan.pending_deletion).toBe(true);
    expect((await lagoFailure(svc.lago.plans.findPlan(`short_${p}`))).body).toMatchObject({ status: 404, code: "plan_not_found" });
    const sub = await svc.lago.subscriptions.findSubscription(`sub-short-${p}`, { status: "terminated" });
    expect(sub.data.subscription.status).toBe("terminated");
  });
});
