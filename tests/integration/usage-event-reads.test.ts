import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { chargesOfSubscription, rateLoadedUsage, rateSubscriptionUsage } from "@/lib/rating/rate-subscription-usage";
import { createTestService, testDb, type TestService } from "../support/api-fixture";

/**
 * Raw events (POST /events) are aggregated in PostgreSQL for current usage, the portal and a draft's refresh
 * (lib/rating/event-summaries.ts), never loaded into JavaScript. These tests store events the API would refuse too
 * (written straight to the table, as an older version or a metric changed since could have left them) and check that
 * the SQL summaries price exactly as `aggregateUsage` does over the full list.
 */
describe("current usage from SQL-aggregated raw events", () => {
  let svc: TestService;
  let p: string;
  let subscriptionId: string;
  let window: { start: Date; end: Date };
  const codes: Record<string, string> = {};

  beforeAll(async () => {
    svc = await createTestService();
    p = svc.code;
    const charges = [];
    for (const [name, aggregation_type, field_name, recurring] of [
      ["calls", "count_agg", undefined, false],
      ["gb", "sum_agg", "gb", false],
      ["stored", "sum_agg", "gb", true],
      ["peak", "max_agg", "peak", false],
      ["level", "latest_agg", "level", false],
      ["seats", "unique_count_agg", "user", false],
      ["members", "unique_count_agg", "user", true],
      ["cpu", "weighted_sum_agg", "cpu", false],
      ["vms", "weighted_sum_agg", "vms", true],
    ] as const) {
      const code = `${name}_${p}`;
      codes[name] = code;
      const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name, code, aggregation_type, field_name, recurring } })).data.billable_metric;
      charges.push({ billable_metric_id: metric.lago_id, code: name, charge_model: "standard", properties: { amount: "0.37" } });
      if (name === "gb") {
        // Priced per event too: the first 5 events' units free, a fixed fee per paid event.
        charges.push({ billable_metric_id: metric.lago_id, code: "gb_per_event", charge_model: "percentage", properties: { rate: "2.5", fixed_amount: "0.1", free_units_per_events: 5, free_units_per_total_aggregation: "300" } });
      }
    }
    await svc.lago.plans.createPlan({ plan: { name: "Events", code: `events_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false, charges } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "e-cus", timezone: "America/Toronto", state: "ON" } });
    const now = new Date();
    await svc.lago.subscriptions.createSubscription({
      subscription: { external_customer_id: "e-cus", plan_code: `events_${p}`, external_id: "e-sub", subscription_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)).toISOString() },
    });
    subscriptionId = (await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "e-sub" } })).id;
    const usage = (await svc.lago.customers.findCustomerCurrentUsage("e-cus", { external_subscription_id: "e-sub" })).data.customer_usage;
    window = { start: new Date(usage.from_datetime), end: new Date(usage.to_datetime) };
  });

  it("prices every aggregation, recurring or not, exactly as aggregating the loaded events would", async () => {
    const span = window.end.getTime() - window.start.getTime();
    let seed = 11;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const created = Date.now() - 3_600_000;
    const rows = [];
    let n = 0;
    for (const [name, code] of Object.entries(codes)) {
      const field = { calls: "x", gb: "gb", stored: "gb", peak: "peak", level: "level", seats: "user", members: "user", cpu: "cpu", vms: "vms" }[name]!;
      for (let i = 0; i < 160; i++) {
        // A quarter before the window (carried by recurring metrics, ignored by the others); a few at the same instant.
        const before = i % 4 === 0;
        const timestamp = new Date(before ? window.start.getTime() - 1 - Math.floor(random() * 20 * 86_400_000) : window.start.getTime() + (i % 9 === 0 ? 0 : Math.floor(random() * span * 0.95)));
        let value: unknown = i % 5 === 0 ? ` ${(random() * 500).toFixed(3)} ` : Number((random() * 1000 - (name === "level" ? 0 : 100)).toFixed(i % 3 === 0 ? 0 : 4));
        if (i % 23 === 0) value = "not a number";
        const properties: Record<string, unknown> = i % 29 === 0 ? {} : { [field]: value };
        if (name === "seats" || name === "members") {
          properties[field] = `user-${i % 17}`;
          if (i % 3 === 0) properties.operation_type = "remove";
          if (i % 31 === 0) properties.operation_type = "bogus";
        }
        const transactionId = `${name}-${i}`;
        rows.push({ id: randomUUID(), serviceId: svc.id, transactionId, externalSubscriptionId: "e-sub", subscriptionId, code, timestamp, properties: properties as object, createdAt: new Date(created + n++) });
        // A copy of the transaction stored under another external id that points at the same subscription: the first wins.
        if (i % 19 === 0) rows.push({ id: randomUUID(), serviceId: svc.id, transactionId, externalSubscriptionId: "e-sub-old", subscriptionId, code, timestamp: new Date(timestamp.getTime() + 1000), properties: { [field]: 999 }, createdAt: new Date(created + n++) });
      }
      // After the window: never counted.
      rows.push({ id: randomUUID(), serviceId: svc.id, transactionId: `${name}-after`, externalSubscriptionId: "e-sub", subscriptionId, code, timestamp: window.end, properties: { [field]: 5 }, createdAt: new Date(created + n++) });
    }
    await testDb().usageEvent.createMany({ data: rows });

    const subscription = await db().subscription.findUniqueOrThrow({ where: { id: subscriptionId } });
    const fromSql = await rateSubscriptionUsage(db(), subscription, window);
    const charges = await chargesOfSubscription(db(), subscription);
    const loaded = await testDb().usageEvent.findMany({ where: { subscriptionId }, orderBy: [{ timestamp: "asc" }, { createdAt: "asc" }] });
    const reference = rateLoadedUsage(charges, loaded, [], window);

    const summary = (rated: typeof fromSql) => rated.map((r) => ({
      metric: r.charge.billableMetric.code,
      model: r.charge.chargeModel,
      units: r.aggregate.units.toString(),
      events: r.aggregate.eventsCount,
      ignored: r.aggregate.ignoredEvents.map((e) => `${e.transactionId}:${e.reason}`).sort(),
      closing: r.aggregate.closingLevel?.toString() ?? null,
      cents: r.price.amountCents.toString(),
    }));
    expect(fromSql).toHaveLength(10);
    expect(summary(fromSql)).toEqual(summary(reference));
    // Not vacuous: every metric saw usage, some events were left out, and the per-event rule had values to work on.
    for (const rated of fromSql) expect(rated.aggregate.units.isZero(), rated.charge.billableMetric.code).toBe(false);
    expect(fromSql.every((r) => r.aggregate.ignoredEvents.length > 0)).toBe(true);
    const percentage = fromSql.find((r) => r.charge.chargeModel === "percentage")!;
    expect(percentage.aggregate.eventValues).toHaveLength(percentage.aggregate.eventsCount);
    expect(percentage.aggregate.eventValues.map(String)).toEqual(reference.find((r) => r.charge.chargeModel === "percentage")!.aggregate.eventValues.map(String));

    // The API answers from the same summaries.
    const usage = (await svc.lago.customers.findCustomerCurrentUsage("e-cus", { external_subscription_id: "e-sub" })).data.customer_usage;
    const calls = usage.charges_usage.find((c: { billable_metric: { code: string } }) => c.billable_metric.code === codes.calls);
    expect(calls.events_count).toBe(reference.find((r) => r.charge.billableMetric.code === codes.calls)!.aggregate.eventsCount);
  });
});
