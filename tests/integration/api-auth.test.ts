import { beforeAll, describe, expect, it } from "vitest";
import { apiBase, createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";
import { Client } from "lago-javascript-client";

describe("API keys", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await createTestService();
  });

  it("accepts the service's key and records when it was used", async () => {
    const res = await service.lago.customers.findAllCustomers({});
    expect(res.status).toBe(200);
    const key = await testDb().apiKey.findUniqueOrThrow({ where: { id: service.apiKeyId } });
    expect(key.lastUsedAt).toBeInstanceOf(Date);
  });

  it.each([
    ["missing", undefined, "missing_api_key"],
    ["not a Bearer token", "Basic abc", "missing_api_key"],
    ["unknown", "Bearer nexa_sk_thisKeyDoesNotExistAnywhere123456", "invalid_api_key"],
    ["malformed", "Bearer hello", "invalid_api_key"],
  ])("refuses a %s key with 401 in Lago's shape", async (_label, header, code) => {
    const res = await fetch(`${apiBase()}/customers`, { headers: header ? { Authorization: header } : {} });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401, error: "Unauthorized", code });
  });

  it("refuses a revoked key", async () => {
    const other = await createTestService();
    await testDb().apiKey.update({ where: { id: other.apiKeyId }, data: { revokedAt: new Date() } });
    const failure = await lagoFailure(other.lago.customers.findAllCustomers({}));
    expect(failure.status).toBe(401);
    expect(failure.body).toMatchObject({ status: 401, code: "invalid_api_key" });
  });

  it("refuses a key whose hash does not match even when its prefix does", async () => {
    const forged = service.apiKey.slice(0, -4) + "AAAA";
    const res = await Client(forged, { baseUrl: apiBase() }).customers.findAllCustomers({}).catch((e) => e);
    expect(res.status).toBe(401);
  });

  it("keeps the health check open without a key", async () => {
    expect((await fetch(`${apiBase()}/health`)).status).toBe(200);
  });
});

describe("service isolation", () => {
  it("hides one service's customers, subscriptions and usage from another (404)", async () => {
    const a = await createTestService();
    const b = await createTestService();
    await a.lago.customers.createCustomer({ customer: { external_id: "shared-ext-1", name: "Only A's" } });
    const bm = (await a.lago.billableMetrics.createBillableMetric({
      billable_metric: { name: "Calls", code: `calls_${a.code}`, aggregation_type: "count_agg" },
    })).data.billable_metric;
    await a.lago.plans.createPlan({
      plan: { name: "P", code: `plan_${a.code}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: bm.lago_id, charge_model: "standard", properties: { amount: "1" } }] },
    });
    await a.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "shared-ext-1", plan_code: `plan_${a.code}`, external_id: "sub-shared-1" } });

    expect((await lagoFailure(b.lago.customers.findCustomer("shared-ext-1"))).body).toMatchObject({ status: 404, code: "customer_not_found" });
    expect((await lagoFailure(b.lago.subscriptions.findSubscription("sub-shared-1", {}))).body).toMatchObject({ status: 404, code: "subscription_not_found" });
    expect((await lagoFailure(b.lago.customers.findCustomerCurrentUsage("shared-ext-1", { external_subscription_id: "sub-shared-1" }))).status).toBe(404);
    const event = await lagoFailure(b.lago.events.createEvent({ event: { transaction_id: "t1", external_subscription_id: "sub-shared-1", code: `calls_${a.code}` } }));
    expect(event.body).toMatchObject({ status: 404, code: "subscription_not_found" });
    const usage = await b.call("/usage", { method: "POST", json: { usage: { external_subscription_id: "sub-shared-1", code: `calls_${a.code}`, timestamp: new Date().toISOString(), value: 1, idempotency_key: "k" } } });
    expect(usage.status).toBe(404);
    expect((await b.lago.customers.findAllCustomers({})).data.customers).toEqual([]);
    expect((await b.lago.subscriptions.findAllSubscriptions({})).data.subscriptions).toEqual([]);
    // The catalog is shared for reading, but only its owner may change it.
    expect((await b.lago.plans.findPlan(`plan_${a.code}`)).data.plan.code).toBe(`plan_${a.code}`);
    expect((await lagoFailure(b.lago.plans.destroyPlan(`plan_${a.code}`))).body).toMatchObject({ status: 403, code: "write_action_not_allowed_for_plan" });
  });
});
