import { beforeAll, describe, expect, it } from "vitest";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";

/** A moment inside the current calendar month (Toronto), safely away from its edges. */
function inThisMonth(dayOffset = 0): Date {
  const now = new Date();
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 2, 12);
  return new Date(Math.min(start + dayOffset * 3_600_000, now.getTime() - 60_000));
}

describe("usage ingestion: Lago events and aggregate pushes", () => {
  let svc: TestService;
  let p: string;
  beforeAll(async () => {
    svc = await createTestService();
    p = svc.code;
    const metric = async (code: string, aggregation_type: string, field_name?: string) =>
      (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: code, code: `${code}_${p}`, aggregation_type, field_name } })).data.billable_metric;
    const calls = await metric("calls", "count_agg");
    const gb = await metric("gb", "sum_agg", "gb");
    const seats = await metric("seats", "unique_count_agg", "user");
    await svc.lago.plans.createPlan({
      plan: {
        name: "Usage", code: `usage_${p}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false,
        charges: [
          { billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: "0.01" }, included_quantity: "2" },
          { billable_metric_id: gb.lago_id, charge_model: "graduated", properties: { graduated_ranges: [
            { from_value: 0, to_value: 10, per_unit_amount: "0", flat_amount: "0" },
            { from_value: 11, to_value: null, per_unit_amount: "0.25", flat_amount: "1" },
          ] } },
          { billable_metric_id: seats.lago_id, charge_model: "standard", properties: { amount: "3" } },
        ],
      },
    });
    await svc.lago.customers.createCustomer({ customer: { external_id: "u-cus", timezone: "America/Toronto", state: "ON" } });
    await svc.lago.subscriptions.createSubscription({
      subscription: { external_customer_id: "u-cus", plan_code: `usage_${p}`, external_id: "u-sub", subscription_at: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1, 6)).toISOString() },
    });
  });

  it("accepts a Lago event and finds it again", async () => {
    const ts = Math.floor(inThisMonth().getTime() / 1000);
    const res = await svc.lago.events.createEvent({ event: { transaction_id: "tx-1", external_subscription_id: "u-sub", code: `calls_${p}`, timestamp: ts } });
    expect(res.data.event).toMatchObject({ transaction_id: "tx-1", external_subscription_id: "u-sub", code: `calls_${p}`, timestamp: new Date(ts * 1000).toISOString() });
    expect((await svc.lago.events.findEvent("tx-1")).data.event.transaction_id).toBe("tx-1");
    expect((await lagoFailure(svc.lago.events.findEvent("tx-none"))).body).toMatchObject({ status: 404, code: "event_not_found" });
  });

  it("treats a re-sent event as a retry and a reused transaction id as an error", async () => {
    const ts = Math.floor(inThisMonth().getTime() / 1000);
    const body = { transaction_id: "tx-retry", external_subscription_id: "u-sub", code: `gb_${p}`, timestamp: ts, properties: { gb: 4 } };
    const first = await svc.lago.events.createEvent({ event: body });
    const again = await svc.lago.events.createEvent({ event: body });
    expect(again.data.event.lago_id).toBe(first.data.event.lago_id);
    const changed = await lagoFailure(svc.lago.events.createEvent({ event: { ...body, properties: { gb: 400 } } }));
    expect(changed.body).toMatchObject({ status: 422, code: "validation_errors", error_details: { transaction_id: ["value_already_exist"] } });
    expect(await testDb().usageEvent.count({ where: { serviceId: svc.id, transactionId: "tx-retry" } })).toBe(1);
  });

  it("recognises a retry whatever the order of the event's property keys", async () => {
    // Last month: kept out of the current-usage totals checked below.
    const ts = Math.floor((inThisMonth().getTime() - 10 * 86_400_000) / 1000);
    const first = { transaction_id: "tx-order", external_subscription_id: "u-sub", code: `gb_${p}`, timestamp: ts, properties: { user_region: "ca-central", gb: 2, a: { y: 1, x: [1, 2] } } };
    await svc.lago.events.createEvent({ event: first });
    const again = await svc.lago.events.createEvent({ event: { ...first, properties: { a: { x: [1, 2], y: 1 }, gb: 2, user_region: "ca-central" } } });
    expect(again.status).toBe(200);
    expect((await lagoFailure(svc.lago.events.createEvent({ event: { ...first, properties: { ...first.properties, a: { y: 1, x: [2, 1] } } } }))).status).toBe(422);
  });

  it("surfaces unknown metrics, subscriptions and missing fields at once instead of storing unbillable events", async () => {
    expect((await lagoFailure(svc.lago.events.createEvent({ event: { transaction_id: "bad-1", external_subscription_id: "u-sub", code: "nope" } }))).body)
      .toMatchObject({ status: 404, code: "billable_metric_not_found" });
    expect((await lagoFailure(svc.lago.events.createEvent({ event: { transaction_id: "bad-2", external_subscription_id: "nope", code: `calls_${p}` } }))).body)
      .toMatchObject({ status: 404, code: "subscription_not_found" });
    expect((await lagoFailure(svc.lago.events.createEvent({ event: { transaction_id: "bad-3", external_subscription_id: "u-sub", code: `gb_${p}`, properties: { size: 1 } } }))).body)
      .toMatchObject({ status: 422, error_details: { [`properties.gb`]: ["missing_aggregation_property"] } });
    expect((await lagoFailure(svc.lago.events.createEvent({ event: { transaction_id: "bad-4", external_subscription_id: "u-sub", code: `gb_${p}`, properties: { gb: "lots" } } }))).body)
      .toMatchObject({ status: 422, error_details: { [`properties.gb`]: ["value_is_not_numeric"] } });
    expect((await lagoFailure(svc.lago.events.createEvent({ event: { transaction_id: "bad-5", external_subscription_id: "u-sub", code: `calls_${p}`, timestamp: "2026-01-01T00:00:00Z" } }))).body)
      .toMatchObject({ status: 422, error_details: { timestamp: ["invalid_format"] } });
    expect(await testDb().usageEvent.count({ where: { serviceId: svc.id, transactionId: { startsWith: "bad-" } } })).toBe(0);
  });

  it("stores a batch all or nothing, with errors by index", async () => {
    const ts = Math.floor(inThisMonth().getTime() / 1000);
    const good = (i: number) => ({ transaction_id: `b-${i}`, external_subscription_id: "u-sub", code: `calls_${p}`, timestamp: ts });
    const bad = await lagoFailure(svc.lago.events.createBatchEvents({ events: [good(1), { ...good(2), code: "nope" }, good(3)] }));
    expect(bad.body).toMatchObject({ status: 422, code: "validation_errors", error_details: { "1": { code: ["billable_metric_not_found"] } } });
    expect(await testDb().usageEvent.count({ where: { serviceId: svc.id, transactionId: { startsWith: "b-" } } })).toBe(0);
    const ok = await svc.lago.events.createBatchEvents({ events: [good(1), good(2), good(3)] });
    expect(ok.data.events).toHaveLength(3);
    const tooMany = await svc.call("/events/batch", { method: "POST", json: { events: Array.from({ length: 101 }, (_, i) => good(100 + i)) } });
    expect(tooMany.status).toBe(422);
    expect(await tooMany.json()).toMatchObject({ error_details: { events: ["too_many_records"] } });
    const empty = await svc.call("/events/batch", { method: "POST", json: { events: [] } });
    expect(await empty.json()).toMatchObject({ status: 422, error_details: { events: ["no_records"] } });
    const list = await svc.lago.events.findAllEvents({ external_subscription_id: "u-sub", code: `calls_${p}` });
    expect(list.data.meta.total_count).toBe(4);
  });

  it("pushes aggregate usage idempotently: same key counts once, a different value is 409", async () => {
    const record = { external_subscription_id: "u-sub", code: `gb_${p}`, period_start: inThisMonth(0).toISOString(), period_end: inThisMonth(1).toISOString(), value: "7.5", idempotency_key: "gb-day-1" };
    const first = await svc.call("/usage", { method: "POST", json: { usage: record } });
    expect(first.status).toBe(200);
    expect((await first.json()).usage).toMatchObject({ idempotency_key: "gb-day-1", value: "7.5", duplicate: false });
    const retry = await svc.call("/usage", { method: "POST", json: { usage: { ...record, value: 7.5 } } });
    expect(retry.status).toBe(200);
    expect((await retry.json()).usage.duplicate).toBe(true);
    const conflict = await svc.call("/usage", { method: "POST", json: { usage: { ...record, value: "8" } } });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ status: 409, code: "idempotency_key_conflict", error_details: { idempotency_key: ["idempotency_key_conflict"] } });
    expect(await testDb().usageRollup.count({ where: { serviceId: svc.id, idempotencyKey: "gb-day-1" } })).toBe(1);
  });

  it("validates pushes: types, unknown targets, windows across periods, oversize batches", async () => {
    const base = { external_subscription_id: "u-sub", code: `gb_${p}`, timestamp: inThisMonth().toISOString(), value: "1", idempotency_key: "v-1" };
    const wrongTypes = await svc.call("/usage", { method: "POST", json: { usage: { ...base, value: "ten", timestamp: 12 } } });
    expect(wrongTypes.status).toBe(422);
    expect(await wrongTypes.json()).toMatchObject({ error_details: { value: ["value_is_invalid"], timestamp: ["value_is_invalid"] } });
    expect((await svc.call("/usage", { method: "POST", json: { usage: { ...base, code: "nope" } } })).status).toBe(404);
    expect((await svc.call("/usage", { method: "POST", json: { usage: { ...base, external_subscription_id: "nope" } } })).status).toBe(404);
    const now = new Date();
    const straddle = await svc.call("/usage", { method: "POST", json: { usage: { ...base, timestamp: undefined, period_start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 15)).toISOString(), period_end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15)).toISOString() } } });
    expect(straddle.status).toBe(422);
    expect(await straddle.json()).toMatchObject({ error_details: { period_end: ["spans_billing_periods"] } });
    const noWindow = await svc.call("/usage", { method: "POST", json: { usage: { ...base, timestamp: undefined } } });
    expect(await noWindow.json()).toMatchObject({ error_details: { period_start: ["value_is_mandatory"], period_end: ["value_is_mandatory"] } });
    const oversize = await svc.call("/usage/batch", { method: "POST", json: { usage: Array.from({ length: 1001 }, (_, i) => ({ ...base, idempotency_key: `o-${i}` })) } });
    expect(oversize.status).toBe(422);
    expect(await oversize.json()).toMatchObject({ error_details: { usage: ["too_many_records"] } });
    const malformed = await svc.call("/usage", { method: "POST", body: '{"usage": {', headers: { "Content-Type": "application/json" } });
    expect(malformed.status).toBe(400);
    expect(await testDb().usageRollup.count({ where: { serviceId: svc.id, idempotencyKey: { startsWith: "o-" } } })).toBe(0);
  });

  it("rolls a batch back when one key conflicts", async () => {
    const rec = (key: string, value: string) => ({ external_subscription_id: "u-sub", code: `calls_${p}`, timestamp: inThisMonth().toISOString(), value, idempotency_key: key });
    const seeded = await svc.call("/usage/batch", { method: "POST", json: { usage: [rec("c-1", "1"), rec("c-2", "1")] } });
    expect(seeded.status).toBe(200);
    const res = await svc.call("/usage/batch", { method: "POST", json: { usage: [rec("c-3", "1"), rec("c-1", "1"), rec("c-2", "5")] } });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: "idempotency_key_conflict", error_details: { "2": { idempotency_key: ["idempotency_key_conflict"] } } });
    expect(await testDb().usageRollup.count({ where: { serviceId: svc.id, idempotencyKey: "c-3" } })).toBe(0);
    const retry = await svc.call("/usage/batch", { method: "POST", json: { usage: [rec("c-3", "1"), rec("c-1", "1"), rec("c-3", "1")] } });
    const receipts = (await retry.json()).usage;
    expect(receipts.map((u: { idempotency_key: string; duplicate: boolean }) => [u.idempotency_key, u.duplicate])).toEqual([["c-3", false], ["c-1", true], ["c-3", true]]);
    expect(receipts[0].lago_id).toBe(receipts[2].lago_id);
    expect(Object.keys(receipts[0]).sort()).toEqual(["created_at", "duplicate", "idempotency_key", "lago_id"]);
  });

  it("prices current usage from events and pushes together", async () => {
    // calls: 4 events (tx-1, b-1..b-3) + pushes c-1, c-2, c-3 (1 each) = 7 units, 2 included → 5 × $0.01 = $0.05
    // gb: event 4 + push 7.5 = 11.5 → tier 1: 10 × 0 ; tier 2: 1.5 × 0.25 + $1 flat = $1.375 → $1.38 (half up)
    // seats: none
    const res = await svc.lago.customers.findCustomerCurrentUsage("u-cus", { external_subscription_id: "u-sub" });
    const usage = res.data.customer_usage;
    const byCode = Object.fromEntries(usage.charges_usage.map((c: { billable_metric: { code: string } }) => [c.billable_metric.code, c]));
    expect(byCode[`calls_${p}`]).toMatchObject({ units: "7", events_count: 4, amount_cents: 5 });
    expect(byCode[`gb_${p}`]).toMatchObject({ units: "11.5", amount_cents: 138 });
    expect(byCode[`seats_${p}`]).toMatchObject({ units: "0", amount_cents: 0 });
    // Ontario HST 13 % on $1.43 = $0.1859 → $0.19.
    expect(usage).toMatchObject({ currency: "CAD", amount_cents: 143, taxes_amount_cents: 19, total_amount_cents: 162, lago_invoice_id: null });
    expect(new Date(usage.from_datetime).getTime()).toBeLessThan(Date.now());
    expect((await lagoFailure(svc.lago.customers.findCustomerCurrentUsage("u-cus", { external_subscription_id: "nope" }))).body)
      .toMatchObject({ status: 405, code: "no_active_subscription" });
  });

  it("stores each record of a large batch as sent: its subscription, metric, window, value and key, whatever the key's characters", async () => {
    await svc.lago.customers.createCustomer({ customer: { external_id: "u-cus-2", timezone: "America/Toronto", state: "ON" } });
    for (const id of ["u-sub-2", "u-sub-3"]) {
      await svc.lago.subscriptions.createSubscription({
        subscription: { external_customer_id: "u-cus-2", plan_code: `usage_${p}`, external_id: id, subscription_at: new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1, 6)).toISOString() },
      });
    }
    // Keys that an array literal must quote or escape, and text that PostgreSQL would read as NULL unquoted.
    const oddKeys = ['q"uote', "back\\slash", "tail\\", 'both\\"', "comma,brace{}", "inner  space", "NULL", "null", "ünïcødé ✓", "x".repeat(255)];
    type Sent = { external_subscription_id: string; code: string; timestamp?: string; period_start?: string; period_end?: string; value: string | number; idempotency_key: string };
    const records = Array.from({ length: 700 }, (_, i): Sent => {
      const start = inThisMonth(i % 5);
      const windowed = i % 3 === 0;
      return {
        external_subscription_id: i % 2 ? "u-sub-2" : "u-sub-3",
        code: i % 4 < 2 ? `calls_${p}` : `gb_${p}`,
        ...(windowed ? { period_start: start.toISOString(), period_end: new Date(start.getTime() + (i % 7) * 60_000 + 1).toISOString() } : { timestamp: start.toISOString() }),
        value: i % 10 === 0 ? i : `${i}.${i % 9}5`,
        idempotency_key: i < oddKeys.length ? oddKeys[i] : `big-${i}`,
      };
    });
    const res = await svc.call("/usage/batch", { method: "POST", json: { usage: records } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const receipts = (await res.json()).usage as { lago_id: string; idempotency_key: string; duplicate: boolean }[];
    expect(receipts.map((r) => r.idempotency_key)).toEqual(records.map((r) => r.idempotency_key));
    expect(receipts.every((r) => r.duplicate === false)).toBe(true);

    const subscriptions = await testDb().subscription.findMany({ where: { externalId: { in: ["u-sub-2", "u-sub-3"] } } });
    const metrics = await testDb().billableMetric.findMany({ where: { code: { in: [`calls_${p}`, `gb_${p}`] } } });
    const subscriptionOf = new Map(subscriptions.map((s) => [s.externalId, s.id]));
    const metricOf = new Map(metrics.map((m) => [m.code, m.id]));
    const stored = new Map(
      (await testDb().usageRollup.findMany({ where: { serviceId: svc.id, idempotencyKey: { in: records.map((r) => r.idempotency_key) } } })).map((r) => [r.idempotencyKey, r]),
    );
    expect(stored.size).toBe(records.length);
    records.forEach((record, i) => {
      const row = stored.get(record.idempotency_key)!;
      expect(row.id).toBe(receipts[i].lago_id);
      expect(row.subscriptionId).toBe(subscriptionOf.get(record.external_subscription_id));
      expect(row.billableMetricId).toBe(metricOf.get(record.code));
      expect(row.periodStart.toISOString()).toBe(record.timestamp ?? record.period_start);
      expect(row.periodEnd.toISOString()).toBe(record.timestamp ?? record.period_end);
      expect(row.value.toString()).toBe(String(record.value));
    });

    // Sent again: every record is a duplicate, counted once.
    const retry = await svc.call("/usage/batch", { method: "POST", json: { usage: records } });
    expect(retry.status).toBe(200);
    const retried = (await retry.json()).usage as { lago_id: string; duplicate: boolean }[];
    expect(retried.map((r) => [r.lago_id, r.duplicate])).toEqual(receipts.map((r) => [r.lago_id, true]));
    expect(await testDb().usageRollup.count({ where: { serviceId: svc.id, idempotencyKey: { in: records.map((r) => r.idempotency_key) } } })).toBe(records.length);
  });
});
