import { beforeAll, describe, expect, it } from "vitest";
import { createTestService, testDb, type TestService } from "../support/api-fixture";

/**
 * A plan or metric one service created is shared: another service may sell it. The creator must not be able to
 * reprice, terminate or drop what the other service sold (real HTTP, real Postgres).
 */
describe("one service cannot change another service's bills through the shared catalog", () => {
  let owner: TestService;
  let seller: TestService;
  let p: string;
  let metricId: string;

  const planOf = async (code: string) => testDb().plan.findFirstOrThrow({ where: { code, deletedAt: null }, include: { charges: { where: { deletedAt: null } } } });

  beforeAll(async () => {
    owner = await createTestService();
    seller = await createTestService();
    p = owner.code;
    const metric = await owner.call("/billable_metrics", { method: "POST", json: { billable_metric: { name: "Calls", code: `calls_${p}`, aggregation_type: "count_agg" } } });
    expect(metric.status).toBe(200);
    metricId = (await metric.json()).billable_metric.lago_id;
    for (const code of [`shared_${p}`, `own_${p}`]) {
      const plan = await owner.call("/plans", {
        method: "POST",
        json: { plan: { name: code, code, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", charges: [{ billable_metric_id: metricId, charge_model: "standard", properties: { amount: "0.01" } }] } },
      });
      expect(plan.status).toBe(200);
    }
    // The other service sells the shared plan to its customer.
    expect((await seller.call("/customers", { method: "POST", json: { customer: { external_id: "buyer", name: "Buyer", timezone: "America/Toronto", state: "ON" } } })).status).toBe(200);
    const sub = await seller.call("/subscriptions", { method: "POST", json: { subscription: { external_customer_id: "buyer", plan_code: `shared_${p}`, external_id: "buyer-sub" } } });
    expect(sub.status).toBe(200);
  });

  it("refuses the owner's PUT on a plan another service sells (409), and changes nothing", async () => {
    const before = await planOf(`shared_${p}`);
    const res = await owner.call(`/plans/shared_${p}`, { method: "PUT", json: { plan: { amount_cents: 99_900, charges: [] } } });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ status: 409, error: "Conflict", code: "plan_used_by_other_services", error_details: { plan_code: `shared_${p}`, other_services: 1, subscriptions: 1 } });
    const after = await planOf(`shared_${p}`);
    expect(after.amountCents).toBe(before.amountCents);
    expect(after.charges.map((c) => c.id)).toEqual(before.charges.map((c) => c.id));
  });

  it("refuses the owner's DELETE on that plan (409): the other service's subscription stays active", async () => {
    const res = await owner.call(`/plans/shared_${p}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "plan_used_by_other_services" });
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: seller.id, externalId: "buyer-sub" } });
    expect(sub.status).toBe("active");
    expect((await planOf(`shared_${p}`)).deletedAt).toBeNull();
  });

  it("refuses the owner's DELETE on a metric that prices a plan another service sells (409): its charges stay", async () => {
    const res = await owner.call(`/billable_metrics/calls_${p}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ status: 409, code: "billable_metric_used_by_other_services", error_details: { billable_metric_code: `calls_${p}` } });
    expect(await testDb().charge.count({ where: { billableMetricId: metricId, deletedAt: null } })).toBe(2);
    expect(await testDb().billableMetric.count({ where: { id: metricId, deletedAt: null } })).toBe(1);
  });

  it("refuses deleting a metric that another service's own plan prices", async () => {
    const theirs = await seller.call("/plans", {
      method: "POST",
      json: { plan: { name: "Theirs", code: `theirs_${p}`, interval: "monthly", amount_cents: 500, amount_currency: "CAD", charges: [{ billable_metric_id: metricId, charge_model: "standard", properties: { amount: "0.02" } }] } },
    });
    expect(theirs.status).toBe(200);
    // Even after the shared plan's subscription ends, the other service's own plan still prices the metric.
    expect((await seller.call("/subscriptions/buyer-sub", { method: "DELETE" })).status).toBe(200);
    const res = await owner.call(`/billable_metrics/calls_${p}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect(await testDb().charge.count({ where: { billableMetricId: metricId, deletedAt: null } })).toBe(3);
  });

  it("still lets the owner change and delete what only it uses", async () => {
    // The owner's own subscription does not block it: it reprices only its own customers.
    expect((await owner.call("/customers", { method: "POST", json: { customer: { external_id: "mine", name: "Mine", timezone: "America/Toronto", state: "ON" } } })).status).toBe(200);
    expect((await owner.call("/subscriptions", { method: "POST", json: { subscription: { external_customer_id: "mine", plan_code: `own_${p}`, external_id: "mine-sub" } } })).status).toBe(200);
    const put = await owner.call(`/plans/own_${p}`, { method: "PUT", json: { plan: { amount_cents: 1500 } } });
    expect(put.status).toBe(200);
    expect((await planOf(`own_${p}`)).amountCents).toBe(BigInt(1500));
    // The shared plan's only other-service subscription was terminated above: the owner may now delete it.
    expect((await owner.call(`/plans/shared_${p}`, { method: "DELETE" })).status).toBe(200);
  });

  it("lets staff in the console decide: the console is not bound by the service rule", async () => {
    const { updatePlan } = await import("@/lib/catalog/plans");
    const plan = await updatePlan(testDb(), null, `own_${p}`, { amountCents: BigInt(1700) });
    expect(plan.amountCents).toBe(BigInt(1700));
  });
});
