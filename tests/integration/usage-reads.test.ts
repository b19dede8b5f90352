import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { chargesOfSubscription, rateLoadedUsage, rateSubscriptionUsage } from "@/lib/rating/rate-subscription-usage";
import { createTestService, testDb, type TestService } from "../support/api-fixture";

/**
 * Current usage aggregates rollups in PostgreSQL (one stand-in row per metric) instead of loading every push. These
 * tests check that the stand-ins price exactly as the full list of rollups would, for every aggregation and for the
 * windows the aggregation leaves out, and that a push is visible to the very next read.
 */
describe("current usage from SQL-aggregated rollups", () => {
  let svc: TestService;
  let p: string;
  let subscriptionId: string;
  const metricIds: Record<string, string> = {};
  let window: { start: Date; end: Date };

  beforeAll(async () => {
    svc = await createTestService();
    p = svc.code;
    const charges = [];
    for (const [code, aggregation_type, field_name] of [
      ["calls", "count_agg", undefined],
      ["gb", "sum_agg", "gb"],
      ["peak", "max_agg", "peak"],
      ["level", "latest_agg", "level"],
      ["seats", "unique_count_agg", "user"],
      ["cpu", "weighted_sum_agg", "cpu"],
    ] as const) {
      const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: code, code: `${code}_${p}`, aggregation_type, field_name } })).data.billable_metric;
      metricIds[code] = metric.lago_id;
      charges.push(code === "gb"
        ? { billable_metric_id: metric.lago_id, charge_model: "graduated", properties: { graduated_ranges: [
            { from_value: 0, to_value: 100, per_unit_amount: "0", flat_amount: "0" },
            { from_value: 101, to_value: null, per_unit_amount: "0.013", flat_amount: "2" },
          ] } }
        : { billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.37" } });
    }
    await svc.lago.plans.createPlan({ plan: { name: "Reads", code: `reads_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false, charges } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "r-cus", timezone: "America/Toronto", state: "ON" } });
    const now = new Date();
    await svc.lago.subscriptions.createSubscription({
      subscription: { external_customer_id: "r-cus", plan_code: `reads_${p}`, external_id: "r-sub", subscription_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString() },
    });
    subscriptionId = (await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "r-sub" } })).id;
    const usage = (await svc.lago.customers.findCustomerCurrentUsage("r-cus", { external_subscription_id: "r-sub" })).data.customer_usage;
    window = { start: new Date(usage.from_datetime), end: new Date(usage.to_datetime) };
  });

  it("prices every aggregation exactly as the full list of rollups would", async () => {
    const span = window.end.getTime() - window.start.getTime();
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const rows = [];
    for (const code of Object.keys(metricIds)) {
      for (let i = 0; i < 150; i++) {
        const start = window.start.getTime() + Math.floor(random() * span * 0.9);
        const length = i % 10 === 0 ? 0 : Math.floor(random() * span * 0.2);
        // Some values negative or fractional: count and unique_count must leave those out, like the aggregation does.
        const value = i % 17 === 0 ? "-3" : i % 13 === 0 ? "2.5" : (random() * 1000).toFixed(i % 3 === 0 ? 0 : 6);
        rows.push({ id: randomUUID(), serviceId: svc.id, subscriptionId, billableMetricId: metricIds[code], periodStart: new Date(start),
          periodEnd: new Date(start + (code === "cpu" && length === 0 ? 60_000 : length)), value, idempotencyKey: `${code}-${i}` });
      }
      // A window that straddles the period end (left out, or clipped for weighted_sum) and one that starts before it.
      rows.push({ id: randomUUID(), serviceId: svc.id, subscriptionId, billableMetricId: metricIds[code], periodStart: new Date(window.end.getTime() - 3_600_000),
        periodEnd: new Date(window.end.getTime() + 3_600_000), value: "999999", idempotencyKey: `${code}-straddle` });
      rows.push({ id: randomUUID(), serviceId: svc.id, subscriptionId, billableMetricId: metricIds[code], periodStart: new Date(window.start.getTime() - 1),
        periodEnd: new Date(window.start.getTime() + 3_600_000), value: "777", idempotencyKey: `${code}-before` });
    }
    await testDb().usageRollup.createMany({ data: rows });

    const subscription = await db().subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    const fromSql = await rateSubscriptionUsage(db(), subscription, window);
    const charges = await chargesOfSubscription(db(), subscription);
    const stored = await testDb().usageRollup.findMany({ where: { subscriptionId } });
    const reference = rateLoadedUsage(charges, [], stored, window);

    expect(fromSql).toHaveLength(6);
    const summary = (rated: typeof fromSql) =>
      rated.map((r) => ({ metric: r.charge.billableMetric.code, units: r.aggregate.units.toString(), cents: r.price.amountCents.toString() }));
    expect(summary(fromSql)).toEqual(summary(reference));
    // Not vacuous: every metric saw usage, and the straddling and earlier windows were left out where they must be.
    for (const rated of fromSql) expect(rated.aggregate.units.isZero()).toBe(false);
    expect(reference.find((r) => r.charge.billableMetric.code === `peak_${p}`)!.aggregate.units.lt(999999)).toBe(true);

    // Hour totals are kept by triggers: they follow updates (a value changed, a rollup moved to another hour) and
    // deletes of rollups, and hold exactly what the rows hold.
    const some = stored.filter((r) => r.idempotencyKey.endsWith("-7") || r.idempotencyKey.endsWith("-21"));
    await testDb().usageRollup.updateMany({ where: { id: { in: some.map((r) => r.id) } }, data: { value: "12345" } });
    const moved = stored.find((r) => r.idempotencyKey === "peak-33")!;
    await testDb().usageRollup.update({ where: { id: moved.id }, data: { periodStart: new Date(window.start.getTime() + 1), periodEnd: new Date(window.start.getTime() + 1) } });
    await testDb().usageRollup.deleteMany({ where: { subscriptionId, idempotencyKey: { endsWith: "-40" } } });
    const after = await testDb().usageRollup.findMany({ where: { subscriptionId } });
    expect(summary(await rateSubscriptionUsage(db(), subscription, window))).toEqual(summary(rateLoadedUsage(charges, [], after, window)));
    const hours = await testDb().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM (
        SELECT "subscriptionId", "billableMetricId", hour, sum(rows)::int AS rows, sum(total) AS total, max(max) AS max, max("maxPeriodEnd") AS "maxPeriodEnd"
          FROM "UsageRollupHour" GROUP BY 1, 2, 3) h FULL JOIN (
        SELECT "subscriptionId" s, "billableMetricId" m, date_trunc('hour', "periodStart", 'UTC') hr, count(*)::int n, sum(value) total, max(value) mx, max("periodEnd") pe
          FROM "UsageRollup" WHERE "subscriptionId" = ${subscriptionId}::uuid GROUP BY 1, 2, 3) r
        ON r.s = h."subscriptionId" AND r.m = h."billableMetricId" AND r.hr = h.hour
       WHERE (h."subscriptionId" = ${subscriptionId}::uuid OR r.s IS NOT NULL)
         AND (h.rows IS DISTINCT FROM r.n OR h.total IS DISTINCT FROM r.total OR h.max IS DISTINCT FROM r.mx OR h."maxPeriodEnd" IS DISTINCT FROM r.pe)`;
    expect(Number(hours[0].n)).toBe(0);
  });

  it("shows a push in the very next read (read-your-writes)", async () => {
    const read = async () => {
      const usage = (await svc.lago.customers.findCustomerCurrentUsage("r-cus", { external_subscription_id: "r-sub" })).data.customer_usage;
      return Number(usage.charges_usage.find((c: { billable_metric: { code: string } }) => c.billable_metric.code === `calls_${p}`).units);
    };
    let expected = await read();
    for (let i = 0; i < 8; i++) {
      const res = await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: "r-sub", code: `calls_${p}`, timestamp: new Date(Date.now() - 1000).toISOString(), value: "3", idempotency_key: `ryw-${i}` } } });
      expect(res.status).toBe(200);
      expected += 3;
      expect(await read()).toBe(expected);
    }
  });
});
