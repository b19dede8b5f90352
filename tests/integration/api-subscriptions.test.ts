import { beforeAll, describe, expect, it } from "vitest";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";

describe("subscriptions API (official Lago client)", () => {
  let svc: TestService;
  let p: string;
  beforeAll(async () => {
    svc = await createTestService();
    p = svc.code;
    for (const [code, cents, interval] of [["basic", 1000, "monthly"], ["pro", 3000, "monthly"], ["annual", 30000, "yearly"]] as const) {
      await svc.lago.plans.createPlan({ plan: { name: code, code: `${code}_${p}`, interval, amount_cents: cents, amount_currency: "CAD", pay_in_advance: false } });
    }
    await svc.lago.customers.createCustomer({ customer: { external_id: "sub-cus", name: "Subscriber", timezone: "America/Toronto", state: "ON" } });
  });

  it("creates an active subscription with its current billing period", async () => {
    const res = await svc.lago.subscriptions.createSubscription({
      subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-1", billing_time: "calendar", name: "Main" },
    });
    const s = res.data.subscription;
    expect(s).toMatchObject({ external_id: "s-1", external_customer_id: "sub-cus", plan_code: `basic_${p}`, status: "active", billing_time: "calendar", name: "Main" });
    expect(s.plan.code).toBe(`basic_${p}`);
    const start = new Date(s.current_billing_period_started_at);
    const end = new Date(s.current_billing_period_ending_at);
    expect(start.getTime()).toBeLessThanOrEqual(Date.now());
    expect(end.getTime()).toBeGreaterThan(Date.now());
    // Calendar monthly in Toronto: the period starts at local midnight on the 1st.
    expect(new Intl.DateTimeFormat("en-CA", { timeZone: "America/Toronto", day: "numeric", hour: "numeric", hourCycle: "h23" }).format(start)).toMatch(/^1, 0?0$/);
  });

  it("is idempotent for the same plan and gets, lists and filters", async () => {
    const again = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-1" } });
    expect(again.data.subscription.status).toBe("active");
    expect(await testDb().subscription.count({ where: { serviceId: svc.id, externalId: "s-1" } })).toBe(1);
    const got = await svc.lago.subscriptions.findSubscription("s-1", {});
    expect(got.data.subscription.external_id).toBe("s-1");
    const list = await svc.lago.subscriptions.findAllSubscriptions({ external_customer_id: "sub-cus", "status[]": ["active"] } as never);
    expect(list.data.subscriptions.map((x: { external_id: string }) => x.external_id)).toEqual(["s-1"]);
    const byPlan = await svc.lago.subscriptions.findAllSubscriptions({ plan_code: `pro_${p}` });
    expect(byPlan.data.subscriptions).toEqual([]);
    expect((await svc.call("/subscriptions?status[]=sleeping")).status).toBe(422);
  });

  it("upgrades at once: old terminated, new active with the same external id and anchor", async () => {
    const before = (await svc.lago.subscriptions.findSubscription("s-1", {})).data.subscription;
    const res = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `pro_${p}`, external_id: "s-1" } });
    const s = res.data.subscription;
    expect(s).toMatchObject({ external_id: "s-1", plan_code: `pro_${p}`, status: "active", previous_plan_code: `basic_${p}` });
    expect(s.lago_id).not.toBe(before.lago_id);
    expect(s.subscription_at).toBe(before.subscription_at);
    const old = await svc.lago.subscriptions.findSubscription("s-1", { status: "terminated" });
    expect(old.data.subscription).toMatchObject({ lago_id: before.lago_id, status: "terminated", next_plan_code: `pro_${p}` });
  });

  it("schedules a downgrade for the end of the current period", async () => {
    const res = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-1" } });
    const s = res.data.subscription;
    expect(s).toMatchObject({ plan_code: `pro_${p}`, status: "active", next_plan_code: `basic_${p}` });
    expect(s.downgrade_plan_date).toBe(s.current_billing_period_ending_at.slice(0, 10));
    const pending = await svc.lago.subscriptions.findSubscription("s-1", { status: "pending" });
    expect(pending.data.subscription).toMatchObject({ plan_code: `basic_${p}`, status: "pending", subscription_at: s.current_billing_period_ending_at });
    // Yearly → monthly at a lower yearly-equivalent fee is a downgrade too; switching again replaces the scheduled one.
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-1" } });
    expect(await testDb().subscription.count({ where: { serviceId: svc.id, externalId: "s-1", status: "pending" } })).toBe(1);
  });

  it("starts a future-dated subscription as pending and lets it be rescheduled", async () => {
    const future = new Date(Date.now() + 40 * 86_400_000).toISOString();
    const res = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `annual_${p}`, external_id: "s-future", subscription_at: future } });
    expect(res.data.subscription.status).toBe("pending");
    const later = new Date(Date.now() + 50 * 86_400_000).toISOString();
    const updated = await svc.lago.subscriptions.updateSubscription("s-future", { subscription: { subscription_at: later, name: "Next year" } }, { status: "pending" });
    expect(updated.data.subscription).toMatchObject({ name: "Next year", subscription_at: new Date(later).toISOString() });
    const cancelled = await svc.lago.subscriptions.destroySubscription("s-future", { status: "pending" });
    expect(cancelled.data.subscription.status).toBe("canceled");
  });

  it("terminates, validating Lago's termination options", async () => {
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-end" } });
    const bad = await svc.call("/subscriptions/s-end?on_termination_invoice=maybe", { method: "DELETE" });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ error_details: { on_termination_invoice: ["invalid_value"] } });
    const res = await svc.lago.subscriptions.destroySubscription("s-end", { on_termination_credit_note: "refund" } as never);
    expect(res.data.subscription).toMatchObject({ status: "terminated", on_termination_credit_note: "refund" });
    expect(res.data.subscription.terminated_at).toBeTruthy();
    expect((await lagoFailure(svc.lago.subscriptions.destroySubscription("s-end", {}))).body).toMatchObject({ status: 404, code: "subscription_not_found" });
  });

  it("auto-creates an unknown customer, as Lago does", async () => {
    const res = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "brand-new", plan_code: `basic_${p}`, external_id: "s-new" } });
    expect(res.data.subscription.external_customer_id).toBe("brand-new");
    expect((await svc.lago.customers.findCustomer("brand-new")).data.customer.currency).toBe("CAD");
  });

  it("refuses unknown plans, bad dates and an external id owned by another customer", async () => {
    expect((await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: "nope", external_id: "s-x" } }))).body)
      .toMatchObject({ status: 404, code: "plan_not_found" });
    expect((await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-x", billing_time: "weekly" as never } }))).body)
      .toMatchObject({ status: 422, error_details: { billing_time: ["value_is_invalid"] } });
    expect((await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-x", subscription_at: "yesterday" } }))).body)
      .toMatchObject({ status: 422, error_details: { subscription_at: ["invalid_date"] } });
    expect((await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sub-cus", plan_code: `basic_${p}`, external_id: "s-x", ending_at: "2020-01-01T00:00:00Z" } }))).body)
      .toMatchObject({ status: 422, error_details: { ending_at: ["invalid_date"] } });
    expect((await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "someone-else", plan_code: `basic_${p}`, external_id: "s-1" } }))).body)
      .toMatchObject({ status: 422, error_details: { external_id: ["value_already_exist"] } });
  });

  it("keeps a plan of a service in dual-run (shadow mode) away from live services; its own shadow billing may use it", async () => {
    const shadow = await createTestService("shadow");
    await shadow.lago.plans.createPlan({ plan: { name: "Legacy", code: `legacy_${shadow.code}`, interval: "monthly", amount_cents: 1500, amount_currency: "CAD", pay_in_advance: false } });
    const refused = await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "dual-run-probe", plan_code: `legacy_${shadow.code}`, external_id: "s-legacy" } }));
    expect(refused).toMatchObject({ status: 403, body: { code: "plan_in_dual_run" } });
    expect(await testDb().subscription.count({ where: { serviceId: svc.id, externalId: "s-legacy" } })).toBe(0);
    const own = await shadow.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "legacy-user", plan_code: `legacy_${shadow.code}`, external_id: "s-legacy" } });
    expect(own.data.subscription).toMatchObject({ status: "active", shadow: true });
  });
});
