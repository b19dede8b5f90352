import { beforeAll, describe, expect, it } from "vitest";
import { testEnv } from "../support/env";
import type { TestService } from "../support/api-fixture";
import { catalogFixture, expectLagoError, portalCookies, serviceRowCounts, staffCookies } from "./support";

// Each family of hostile or sloppy request that once answered 500 (issue 10) now answers a 4xx with Lago's body and a
// machine-readable code, and leaves nothing behind.

const LOOSE_IDS = ["------------------------------------", "a".repeat(36), "0".repeat(36), "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"];

describe("hostile input answers 4xx with Lago's error shape", () => {
  let svc: TestService;
  let p: string;
  let customerId: string;
  let metricId: string;
  beforeAll(async () => {
    ({ svc, p, customerId, metricId } = await catalogFixture());
  });

  it("ids that only look like UUIDs are not found, on the API and on console and portal pages", async () => {
    for (const id of LOOSE_IDS) {
      for (const path of [`/invoices/${id}`, `/credit_notes/${id}`, `/webhook_endpoints/${id}`]) {
        const body = await expectLagoError(await svc.call(path), 404);
        expect(body.code).toMatch(/_not_found$/);
      }
      await expectLagoError(await svc.call(`/invoices/${id}/finalize`, { method: "PUT" }), 404);
      await expectLagoError(await svc.call(`/credit_notes/${id}/void`, { method: "POST" }), [404, 405]);
      await expectLagoError(await svc.call(`/webhook_endpoints/${id}`, { method: "PUT", json: { webhook_endpoint: { webhook_url: "https://example.com/x" } } }), 404);
      await expectLagoError(await svc.call(`/webhook_endpoints/${id}`, { method: "DELETE" }), 404);
    }
    const staff = await staffCookies();
    const portal = await portalCookies(customerId);
    for (const id of LOOSE_IDS) {
      for (const path of [`/console/invoices/${id}`, `/console/customers/${id}`, `/console/reconciliation/${id}`, `/console/imports/${id}`, `/console/services/${svc.code}/deliveries/${id}`]) {
        expect((await fetch(`${testEnv.baseUrl}${path}`, { headers: { Cookie: staff } })).status, path).toBe(404);
      }
      expect((await fetch(`${testEnv.baseUrl}/portal/invoices/${id}`, { headers: { Cookie: portal } })).status).toBe(404);
    }
  });

  it("a NUL character in a path, a query value or any body string is refused before it reaches the database", async () => {
    const before = await serviceRowCounts(svc.id);
    for (const path of [`/customers/a%00b`, `/subscriptions/s%00`, `/plans/p%00`, `/billable_metrics/m%00`, `/events/t%00`, `/customers/x%00/current_usage`]) {
      expect((await expectLagoError(await svc.call(path), 400)).code).toBe("invalid_characters");
    }
    for (const query of [`external_customer_id=a%00`, `status=%00`, `page=1%00`, `code=%00`, `a%00=1`]) {
      for (const list of ["/invoices", "/subscriptions", "/events", "/customers", "/credit_notes"]) {
        expect((await expectLagoError(await svc.call(`${list}?${query}`), 400)).code).toBe("invalid_characters");
      }
    }
    const bodies: [string, unknown][] = [
      ["/customers", { customer: { external_id: `n\u0000${p}`, name: "x" } }],
      ["/customers", { customer: { external_id: `nul_${p}`, name: "Ada\u0000" } }],
      ["/customers", { customer: { external_id: `nul_${p}`, metadata: [{ key: "k\u0000", value: "v" }] } }],
      ["/plans", { plan: { name: "x", code: `nul\u0000${p}`, interval: "monthly", amount_cents: 1 } }],
      ["/billable_metrics", { billable_metric: { name: "x\u0000", code: `nul_${p}`, aggregation_type: "count_agg" } }],
      ["/events", { event: { transaction_id: "t\u0000", external_subscription_id: `sub_${p}`, code: `gb_${p}`, properties: { gb: 1 } } }],
      ["/events", { event: { transaction_id: "t-nul", external_subscription_id: `sub_${p}`, code: `gb_${p}`, properties: { gb: 1, "\u0000": "x" } } }],
      ["/webhook_endpoints", { webhook_endpoint: { webhook_url: "https://example.com/\u0000" } }],
    ];
    for (const [path, json] of bodies) {
      expect((await expectLagoError(await svc.call(path, { method: "POST", json }), 400)).code).toBe("invalid_characters");
    }
    const staff = await staffCookies();
    for (const path of [`/console/plans/x%00`, `/console/metrics/x%00`, `/console/services/x%00`, `/console/services/${svc.code}/deliveries/x%00`]) {
      expect((await fetch(`${testEnv.baseUrl}${path}`, { headers: { Cookie: staff } })).status, path).toBe(404);
    }
    expect((await fetch(`${testEnv.baseUrl}/console/customers?c_q=a%00b`, { headers: { Cookie: staff } })).status).toBe(200);
    expect(await serviceRowCounts(svc.id)).toEqual(before);
  });

  it("page numbers past any real listing are out of range, not a server error", async () => {
    for (const list of ["/invoices", "/subscriptions", "/events", "/customers", "/credit_notes", "/plans", "/billable_metrics", "/webhook_endpoints"]) {
      for (const page of ["99999999999999999999", "1e308", "10000001"]) {
        const body = await expectLagoError(await svc.call(`${list}?page=${page}`), 422);
        expect(body.error_details).toHaveProperty("page");
      }
      expect((await svc.call(`${list}?page=2&per_page=99999999999999999999`)).status).toBe(200);
    }
  });

  it("usage values beyond the stored precision are refused (1e308, -1e308, 1e26), on aggregate pushes and on events", async () => {
    const before = await serviceRowCounts(svc.id);
    const now = new Date().toISOString();
    for (const value of [1e308, -1e308, 1e26, "1" + "0".repeat(30), "0.0000000000001"]) {
      const res = await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: `sub_${p}`, code: `gb_${p}`, timestamp: now, value, idempotency_key: `big-${value}` } } });
      const body = await expectLagoError(res, 422);
      expect(body.error_details).toMatchObject({ value: [expect.stringMatching(/^value_is_(out_of_range|invalid)$/)] });
      const batch = await svc.call("/usage/batch", { method: "POST", json: { usage: [{ external_subscription_id: `sub_${p}`, code: `gb_${p}`, timestamp: now, value, idempotency_key: `big-b-${value}` }] } });
      await expectLagoError(batch, 422);
      const event = await svc.call("/events", { method: "POST", json: { event: { transaction_id: `big-${value}`, external_subscription_id: `sub_${p}`, code: `gb_${p}`, properties: { gb: value } } } });
      expect((await expectLagoError(event, 422)).error_details).toMatchObject({ [`properties.gb`]: ["value_is_out_of_range"] });
    }
    expect(await serviceRowCounts(svc.id)).toEqual(before);
  });

  it("amounts in cents are whole numbers: 1.5 is refused in plans, charges' minimums and credit-note items", async () => {
    const before = await serviceRowCounts(svc.id);
    const plan = (over: Record<string, unknown>) => ({ plan: { name: "x", code: `frac_${p}`, interval: "monthly", amount_cents: 100, ...over } });
    const charge = (over: Record<string, unknown>) => ({ billable_metric_id: metricId, charge_model: "standard", properties: { amount: "1" }, ...over });
    for (const json of [plan({ amount_cents: 1.5 }), plan({ amount_cents: "1.5" }), plan({ charges: [charge({ min_amount_cents: 1.5 })] }), plan({ amount_cents: 1e308 })]) {
      await expectLagoError(await svc.call("/plans", { method: "POST", json }), 422);
    }
    await expectLagoError(await svc.call(`/plans/plan_${p}`, { method: "PUT", json: { plan: { amount_cents: 1.5 } } }), 422);
    const note = await svc.call("/credit_notes", {
      method: "POST",
      json: { credit_note: { invoice_id: crypto.randomUUID(), reason: "other", credit_amount_cents: 1, items: [{ fee_id: crypto.randomUUID(), amount_cents: 1.5 }] } },
    });
    expect((await expectLagoError(note, 422)).error_details).toHaveProperty("items.0.amount_cents");
    await expectLagoError(await svc.call("/credit_notes", { method: "POST", json: { credit_note: { invoice_id: crypto.randomUUID(), reason: "other", credit_amount_cents: 0.5, items: [] } } }), 422);
    expect(await serviceRowCounts(svc.id)).toEqual(before);
  });

  it("trial periods and included quantities are bounded (1e308 refused)", async () => {
    const before = await serviceRowCounts(svc.id);
    const base = { name: "x", code: `bounds_${p}`, interval: "monthly", amount_cents: 100 };
    for (const json of [
      { plan: { ...base, trial_period: 1e308 } },
      { plan: { ...base, trial_period: 3651 } },
      { plan: { ...base, trial_period: -1 } },
      { plan: { ...base, charges: [{ billable_metric_id: metricId, charge_model: "standard", properties: { amount: "1" }, included_quantity: 1e308 }] } },
      { plan: { ...base, charges: [{ billable_metric_id: metricId, charge_model: "standard", properties: { amount: "1" }, included_quantity: "-1" }] } },
    ]) {
      const body = await expectLagoError(await svc.call("/plans", { method: "POST", json }), 422);
      expect(JSON.stringify(body.error_details)).toMatch(/value_is_out_of_range/);
    }
    expect(await serviceRowCounts(svc.id)).toEqual(before);
  });

  it("dates outside 2000–2099 and impossible calendar dates are refused, never rolled over", async () => {
    const before = await serviceRowCounts(svc.id);
    for (const date of ["0000-01-01", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-02-30", "2026-02-30T10:00:00Z", "2026-13-01", "2026-04-31", "2026-01-01T24:00:00Z", "2026-01-01T10:00:00+25:00"]) {
      const sub = await svc.call("/subscriptions", { method: "POST", json: { subscription: { external_customer_id: `cus_${p}`, plan_code: `plan_${p}`, external_id: `d_${date}`, subscription_at: date } } });
      expect((await expectLagoError(sub, 422)).error_details).toMatchObject({ subscription_at: [expect.stringMatching(/^(invalid_date|value_is_out_of_range)$/)] });
      const usage = await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: `sub_${p}`, code: `gb_${p}`, timestamp: date, value: 1, idempotency_key: `d-${date}` } } });
      await expectLagoError(usage, 422);
      const query = await svc.call(`/events?timestamp_from=${encodeURIComponent(date)}`);
      await expectLagoError(query, 422);
      await expectLagoError(await svc.call(`/subscriptions/sub_${p}`, { method: "PUT", json: { subscription: { ending_at: date } } }), 422);
    }
    for (const timestamp of [0, -1, 1e308, 253402300799, "99999999999"]) {
      const event = await svc.call("/events", { method: "POST", json: { event: { transaction_id: `ts-${timestamp}`, external_subscription_id: `sub_${p}`, code: `gb_${p}`, timestamp, properties: { gb: 1 } } } });
      await expectLagoError(event, 422);
    }
    // A real leap day is still a date.
    const leap = await svc.call("/events?timestamp_from=2028-02-29");
    expect(leap.status).toBe(200);
    expect(await serviceRowCounts(svc.id)).toEqual(before);
  });

  it("a method a route does not serve is 405 with Lago's body", async () => {
    for (const [method, path] of [["PUT", "/customers"], ["PATCH", `/plans/plan_${p}`], ["DELETE", "/invoices"], ["PATCH", "/subscriptions"], ["GET", "/usage"], ["POST", "/health"]] as const) {
      const body = await expectLagoError(await svc.call(path, { method }), 405);
      expect(body.code).toBe("method_not_allowed");
    }
  });
});
