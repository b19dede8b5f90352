import { describe, expect, it } from "vitest";
import { createTestService, testDb } from "../support/api-fixture";

describe("concurrent usage pushes", () => {
  it("20 parallel pushers with overlapping retries end with exact totals", async () => {
    const svc = await createTestService();
    const p = svc.code;
    const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Bytes", code: `bytes_${p}`, aggregation_type: "sum_agg", field_name: "bytes" } })).data.billable_metric;
    await svc.lago.plans.createPlan({ plan: { name: "B", code: `b_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.001" } }] } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cc-1", plan_code: `b_${p}`, external_id: "cc-sub" } });

    // 400 distinct records; record k carries value k + 0.25. Every pusher sends an overlapping window of them, in
    // shuffled batches, and re-sends some batches as a client retrying after a timeout would.
    const KEYS = 400;
    const at = new Date(Date.now() - 60_000).toISOString();
    const record = (k: number) => ({ external_subscription_id: "cc-sub", code: `bytes_${p}`, timestamp: at, value: `${k}.25`, idempotency_key: `k-${k}` });
    const pusher = async (n: number) => {
      const keys = Array.from({ length: 100 }, (_, i) => (n * 20 + i) % KEYS).sort(() => Math.random() - 0.5);
      const statuses: number[] = [];
      for (let i = 0; i < keys.length; i += 25) {
        const batch = keys.slice(i, i + 25).map(record);
        const attempts = i % 50 === 0 ? 2 : 1;
        for (let a = 0; a < attempts; a++) {
          const res = await svc.call("/usage/batch", { method: "POST", json: { usage: batch } });
          statuses.push(res.status);
        }
        const single = await svc.call("/usage", { method: "POST", json: { usage: record(keys[i]) } });
        statuses.push(single.status);
      }
      return statuses;
    };
    const statuses = (await Promise.all(Array.from({ length: 20 }, (_, n) => pusher(n)))).flat();
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const rows = await testDb().usageRollup.aggregate({ where: { serviceId: svc.id }, _count: true, _sum: { value: true } });
    const expectedSum = Array.from({ length: KEYS }, (_, k) => k).reduce((a, k) => a + k, 0) + KEYS * 0.25;
    expect(rows._count).toBe(KEYS);
    expect(rows._sum.value?.toString()).toBe(String(expectedSum));
  });
});
