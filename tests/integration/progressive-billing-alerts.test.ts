import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { openWebhookSecret } from "@/lib/services/webhook-secrets";
import { evaluateSubscriptionUsage } from "@/lib/usage-monitoring/evaluate-usage";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";
import { waitFor, WebhookReceiver } from "../support/webhook-receiver";

// Usage thresholds (progressive billing) and usage alerts, through the official Lago client against the running
// server: usage pushes are picked up by the server's usage-monitor job queue (not by the test), the progressive invoice
// is issued with Ontario HST, the period close deducts it, and the apps are called back once per crossing.

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

beforeAll(async () => {
  await testDb().companyProfile.upsert({
    where: { id: 1 },
    update: {},
    create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001" },
  });
});

async function listeningService() {
  const svc = await createTestService("live");
  const receiver = new WebhookReceiver("");
  receivers.push(receiver);
  const url = await receiver.reservePort();
  await svc.lago.webhookEndpoints.createWebhookEndpoint({ webhook_endpoint: { webhook_url: url, signature_algo: "hmac", event_types: null } });
  const secret = openWebhookSecret((await testDb().service.findUniqueOrThrow({ where: { id: svc.id } })).webhookSigningSecret!);
  Object.assign(receiver, { secret });
  await receiver.start();
  return { svc, receiver };
}

/** A metric at $1.00 a unit, a plan with no base fee and a $50 usage threshold, an Ontario customer subscribed now. */
async function arrange(svc: TestService, thresholds: { amount_cents: number; threshold_display_name?: string; recurring?: boolean }[]) {
  const metric = (await svc.lago.billableMetrics.createBillableMetric({
    billable_metric: { name: "API calls", code: `calls_${svc.code}`, aggregation_type: "sum_agg", field_name: "calls" },
  })).data.billable_metric;
  const plan = (await svc.lago.plans.createPlan({
    plan: {
      name: "Pay as you go", code: `payg_${svc.code}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "1.00" } }],
      usage_thresholds: thresholds,
    },
  })).data.plan;
  await svc.lago.customers.createCustomer({ customer: { external_id: "cus-1", name: "Toronto Widgets Inc.", country: "CA", state: "ON", timezone: "America/Toronto" } });
  await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cus-1", plan_code: plan.code, external_id: "sub-1", subscription_at: new Date(Date.now() - 3600_000).toISOString() } });
  const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "sub-1" } });
  return { metric, plan, sub };
}

let tx = 0;
const pushEvent = (svc: TestService, calls: number) =>
  svc.lago.events.createEvent({ event: { transaction_id: `t-${++tx}`, external_subscription_id: "sub-1", code: `calls_${svc.code}`, timestamp: Math.floor(Date.now() / 1000) - 60, properties: { calls } } });

const progressiveInvoices = (serviceId: string) =>
  testDb().invoice.findMany({ where: { serviceId, invoiceType: "progressive_billing" }, include: { lines: true, taxes: true }, orderBy: { createdAt: "asc" } });

const settle = () => new Promise((resolve) => setTimeout(resolve, 2500));

describe("usage thresholds (progressive billing)", () => {
  it("plans take Lago's usage_thresholds and refuse bad ones with 422", async () => {
    const svc = await createTestService("live");
    const { plan } = await arrange(svc, [{ amount_cents: 5000, threshold_display_name: "$50" }, { amount_cents: 2500, recurring: true }]);
    expect(plan.usage_thresholds).toEqual([
      expect.objectContaining({ amount_cents: 5000, threshold_display_name: "$50", recurring: false }),
      expect.objectContaining({ amount_cents: 2500, threshold_display_name: null, recurring: true }),
    ]);
    expect((await svc.lago.plans.findPlan(plan.code)).data.plan.usage_thresholds).toHaveLength(2);
    const updated = (await svc.lago.plans.updatePlan(plan.code, { plan: { usage_thresholds: [{ amount_cents: 10000 }] } })).data.plan;
    expect(updated.usage_thresholds.map((t: { amount_cents: number }) => t.amount_cents)).toEqual([10000]);

    const bad = async (usage_thresholds: unknown) => (await lagoFailure(svc.lago.plans.updatePlan(plan.code, { plan: { usage_thresholds } }))).body;
    expect(await bad([{ amount_cents: 0 }])).toMatchObject({ status: 422, code: "validation_errors", error_details: { "usage_thresholds.0.amount_cents": ["value_is_out_of_range"] } });
    expect(await bad([{ amount_cents: 100, recurring: true }, { amount_cents: 200, recurring: true }])).toMatchObject({ status: 422, error_details: { usage_thresholds: ["only_one_recurring_threshold"] } });
    expect(await bad([{ amount_cents: 100 }, { amount_cents: 100 }])).toMatchObject({ status: 422, error_details: { usage_thresholds: ["value_already_exist"] } });
    expect(await bad([{ amount_cents: "ten" }])).toMatchObject({ status: 422 });
    expect(await bad([{ amount_cents: 100, colour: "red" }])).toMatchObject({ status: 422, error_details: { "usage_thresholds.0.colour": ["unknown_field"] } });
    // Subscription-level thresholds are not offered: refused, never ignored.
    expect((await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cus-1", plan_code: plan.code, external_id: "sub-2", usage_thresholds: [{ amount_cents: 100 }] } }))).body)
      .toMatchObject({ status: 422, error_details: { usage_thresholds: ["not_supported"] } });
  });

  it("crossing $50 issues one progressive invoice with HST, calls the app once, and the close deducts it", async () => {
    const { svc, receiver } = await listeningService();
    const { sub } = await arrange(svc, [{ amount_cents: 5000, threshold_display_name: "$50 of calls" }]);

    await pushEvent(svc, 30); // $30: below the threshold
    await settle();
    expect(await progressiveInvoices(svc.id)).toHaveLength(0);

    // The aggregate push (plain fetch: the Lago client has no /usage) takes the usage to $55.
    const push = await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: "sub-1", code: `calls_${svc.code}`, timestamp: new Date(Date.now() - 60_000).toISOString(), value: "25", idempotency_key: "push-1" } } });
    expect(push.status).toBe(200);
    const [invoice] = (await waitFor(async () => {
      const found = await progressiveInvoices(svc.id);
      return found.length ? found : null;
    }))!;
    expect(invoice).toMatchObject({ status: "finalized", subtotalCents: 5500n, taxesCents: 715n, totalCents: 6215n, currency: "CAD" });
    expect(invoice.number).toMatch(/^INV-\d{4}-\d+$/);
    expect(invoice.taxes).toEqual([expect.objectContaining({ code: "HST", taxableAmountCents: 5500n, amountCents: 715n })]);
    expect(invoice.lines).toEqual([expect.objectContaining({ kind: "usage_charge", amountCents: 5500n })]);
    expect(invoice.lines[0].quantity.toString()).toBe("55");

    // Through the API, as Lago shows it.
    const apiInvoice = (await svc.lago.invoices.findInvoice(invoice.id)).data.invoice;
    expect(apiInvoice).toMatchObject({ invoice_type: "progressive_billing", fees_amount_cents: 5500, taxes_amount_cents: 715, total_amount_cents: 6215 });

    const thresholdEvents = () => receiver.accepted().filter((r) => r.body.webhook_type === "subscription.usage_threshold_reached");
    const reached = (await waitFor(() => (thresholdEvents().length ? thresholdEvents() : null)))!;
    expect(reached).toHaveLength(1);
    expect(reached[0].lagoSignatureValid).toBe(true);
    expect(reached[0].body).toMatchObject({
      object_type: "subscription",
      subscription: { external_id: "sub-1", external_customer_id: "cus-1", usage_threshold: { amount_cents: 5000, threshold_display_name: "$50 of calls", recurring: false } },
    });
    await waitFor(() => receiver.accepted().some((r) => r.body.webhook_type === "invoice.created" && (r.body.invoice as { lago_id: string }).lago_id === invoice.id));

    // More usage below the next level, a retried job and two instances evaluating at once: nothing more is billed.
    await pushEvent(svc, 20); // $75
    await Promise.all([evaluateSubscriptionUsage(testDb(), sub.id), evaluateSubscriptionUsage(testDb(), sub.id)]);
    await settle();
    expect(await progressiveInvoices(svc.id)).toHaveLength(1);
    expect(receiver.accepted().filter((r) => r.body.webhook_type === "subscription.usage_threshold_reached")).toHaveLength(1);
    expect(await testDb().appliedUsageThreshold.count({ where: { subscriptionId: sub.id } })).toBe(1);

    // The period close bills $75 of usage, less the $55 already billed, before tax: $20 + $2.60 HST.
    const { nextBillingAt } = await testDb().subscription.findUniqueOrThrow({ where: { id: sub.id } });
    await runBillingCycle(testDb(), new Date(nextBillingAt!.getTime() + 60_000), { serviceId: svc.id });
    const close = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, invoiceType: "subscription" }, include: { taxes: true } });
    // subtotalCents is net (what tax applies to, what reports read as revenue), as with coupons.
    expect(close).toMatchObject({ status: "finalized", subtotalCents: 2000n, progressiveBillingCreditCents: 5500n, taxesCents: 260n, totalCents: 2260n });
    expect(close.taxes).toEqual([expect.objectContaining({ code: "HST", taxableAmountCents: 2000n, amountCents: 260n })]);
    const apiClose = (await svc.lago.invoices.findInvoice(close.id)).data.invoice;
    expect(apiClose).toMatchObject({ fees_amount_cents: 7500, progressive_billing_credit_amount_cents: 5500, sub_total_excluding_taxes_amount_cents: 2000, taxes_amount_cents: 260, total_amount_cents: 2260 });
    // The period's usage is billed once: $75 + 13 % = $84.75 over the two invoices.
    expect(invoice.totalCents + close.totalCents).toBe(8475n);
    expect(invoice.subtotalCents + close.subtotalCents).toBe(7500n);
  });

  it("a recurring threshold fires again every amount_cents above the last fixed one", async () => {
    const svc = await createTestService("live");
    const { sub } = await arrange(svc, [{ amount_cents: 5000 }, { amount_cents: 2000, recurring: true }]);
    await pushEvent(svc, 60); // $60: the $50 level
    await evaluateSubscriptionUsage(testDb(), sub.id);
    await pushEvent(svc, 15); // $75: the $70 level (50 + 20)
    await evaluateSubscriptionUsage(testDb(), sub.id);
    await pushEvent(svc, 10); // $85: still below $90
    await evaluateSubscriptionUsage(testDb(), sub.id);
    const invoices = await waitFor(async () => {
      const found = await progressiveInvoices(svc.id);
      return found.length >= 2 ? found : null;
    });
    await settle();
    const final = await progressiveInvoices(svc.id);
    expect(final.map((i) => [i.subtotalCents, i.taxesCents, i.totalCents])).toEqual([[6000n, 780n, 6780n], [1500n, 195n, 1695n]]);
    expect(invoices).toHaveLength(2);
    const levels = await testDb().appliedUsageThreshold.findMany({ where: { subscriptionId: sub.id }, orderBy: { levelCents: "asc" } });
    expect(levels.map((l) => l.levelCents)).toEqual([5000n, 7000n]);
  });
});

describe("usage alerts", () => {
  it("alerts CRUD through the Lago client, and alert.triggered once per crossing of units", async () => {
    const { svc, receiver } = await listeningService();
    const { metric } = await arrange(svc, []);
    const created = (await svc.lago.subscriptions.createSubscriptionAlert("sub-1", {
      alert: {
        alert_type: "billable_metric_current_usage_units", code: "calls_alert", name: "Calls", billable_metric_code: metric.code,
        thresholds: [{ code: "warn", value: "40" }, { code: "every_20", value: "20", recurring: true }],
      },
    })).data.alert;
    expect(created).toMatchObject({ alert_type: "billable_metric_current_usage_units", code: "calls_alert", external_subscription_id: "sub-1", billable_metric: { code: metric.code }, previous_value: 0 });
    expect(created.thresholds).toEqual([{ code: "warn", value: "40", recurring: false }, { code: "every_20", value: "20", recurring: true }]);
    const amountAlert = (await svc.lago.subscriptions.createSubscriptionAlert("sub-1", { alerts: [{ alert_type: "current_usage_amount", code: "spend", thresholds: [{ value: "100000" }] }] })).data.alerts;
    expect(amountAlert).toHaveLength(1);
    expect((await svc.lago.subscriptions.getSubscriptionAlerts("sub-1")).data.alerts.map((a: { code: string }) => a.code)).toEqual(["calls_alert", "spend"]);
    expect((await svc.lago.subscriptions.updateSubscriptionAlert("sub-1", "spend", { alert: { name: "Spend" } })).data.alert.name).toBe("Spend");
    expect((await svc.lago.subscriptions.getSubscriptionAlert("sub-1", "spend")).data.alert.name).toBe("Spend");
    expect((await svc.lago.subscriptions.deleteSubscriptionAlert("sub-1", "spend")).data.alert.code).toBe("spend");
    expect((await lagoFailure(svc.lago.subscriptions.getSubscriptionAlert("sub-1", "spend"))).body).toMatchObject({ status: 404, code: "alert_not_found" });

    // Bad input: Lago's error shape with a code.
    const bad = async (alert: Record<string, unknown>) => lagoFailure(svc.lago.subscriptions.createSubscriptionAlert("sub-1", { alert }));
    expect((await bad({ alert_type: "lifetime_usage_amount", code: "x", thresholds: [{ value: "1" }] })).body).toMatchObject({ status: 422, code: "validation_errors", error_details: { alert_type: ["not_supported"] } });
    expect((await bad({ alert_type: "current_usage_amount", code: "calls_alert", thresholds: [{ value: "1" }] })).body).toMatchObject({ status: 422, error_details: { code: ["value_already_exist"] } });
    expect((await bad({ alert_type: "billable_metric_current_usage_units", code: "y", thresholds: [{ value: "1" }] })).body).toMatchObject({ status: 422, error_details: { billable_metric_code: ["value_is_mandatory"] } });
    expect((await bad({ alert_type: "current_usage_amount", code: "z", thresholds: [] })).body).toMatchObject({ status: 422 });
    expect((await bad({ alert_type: "current_usage_amount", code: "z", thresholds: [{ value: "-5" }] })).body).toMatchObject({ status: 422 });
    expect((await bad({ alert_type: "billable_metric_current_usage_units", code: "w", billable_metric_code: "nope", thresholds: [{ value: "1" }] })).body).toMatchObject({ status: 404, code: "billable_metric_not_found" });
    expect((await lagoFailure(svc.lago.subscriptions.createSubscriptionAlert("no-such-sub", { alert: { alert_type: "current_usage_amount", code: "q", thresholds: [{ value: "1" }] } }))).status).toBe(404);
    expect((await lagoFailure(svc.lago.subscriptions.getSubscriptionAlerts("sub-1", { subscription_status: "terminated" }))).body).toMatchObject({ status: 422, error_details: { subscription_status: ["not_supported"] } });
    // Another service cannot see the alert.
    const other = await createTestService("live");
    expect((await lagoFailure(other.lago.subscriptions.getSubscriptionAlert("sub-1", "calls_alert"))).status).toBe(404);

    const triggered = () => receiver.accepted().filter((r) => r.body.webhook_type === "alert.triggered");
    await pushEvent(svc, 30); // 30 units: nothing crossed
    await settle();
    expect(triggered()).toHaveLength(0);
    await pushEvent(svc, 25); // 55 units: crosses 40 (the alert saw 30 last)
    const [first] = (await waitFor(() => (triggered().length ? triggered() : null)))!;
    expect(first.lagoSignatureValid).toBe(true);
    expect(first.body).toMatchObject({
      object_type: "triggered_alert",
      triggered_alert: {
        lago_alert_id: created.lago_id, external_subscription_id: "sub-1", external_customer_id: "cus-1", billable_metric_code: metric.code,
        alert_type: "billable_metric_current_usage_units", alert_code: "calls_alert", alert_name: "Calls", previous_value: 30, current_value: 55,
        crossed_thresholds: [{ code: "warn", value: "40", recurring: false }],
      },
    });
    await pushEvent(svc, 1); // 56 units: nothing new
    await settle();
    expect(triggered()).toHaveLength(1);
    await pushEvent(svc, 10); // 66 units: the recurring 60 (40 + 20)
    await waitFor(() => triggered().length === 2);
    expect(triggered()[1].body.triggered_alert).toMatchObject({ previous_value: 56, current_value: 66, crossed_thresholds: [{ code: "every_20", value: "60", recurring: true }] });
    await settle();
    expect(triggered()).toHaveLength(2);
    expect((await svc.lago.subscriptions.getSubscriptionAlert("sub-1", "calls_alert")).data.alert.previous_value).toBe(66);
    // The client types this answer as void (it does not read the body); the alerts are gone.
    expect((await svc.lago.subscriptions.deleteAllSubscriptionAlerts("sub-1")).status).toBe(200);
    expect((await svc.lago.subscriptions.getSubscriptionAlerts("sub-1")).data.alerts).toEqual([]);
  });
});

describe("progressive billing keeps to the close's window and keys", () => {
  it("bill_charges_monthly: the progressive invoice belongs to the month the close bills, so the close deducts it", async () => {
    const svc = await createTestService("live");
    const metric = (await svc.lago.billableMetrics.createBillableMetric({
      billable_metric: { name: "API calls", code: `calls_${svc.code}`, aggregation_type: "sum_agg", field_name: "calls" },
    })).data.billable_metric;
    const plan = (await svc.lago.plans.createPlan({
      plan: {
        name: "Yearly", code: `yr_${svc.code}`, interval: "yearly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false, bill_charges_monthly: true,
        charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "1.00" } }],
        usage_thresholds: [{ amount_cents: 5000 }],
      },
    })).data.plan;
    await svc.lago.customers.createCustomer({ customer: { external_id: "cus-1", name: "Toronto Widgets Inc.", country: "CA", state: "ON", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cus-1", plan_code: plan.code, external_id: "sub-1", subscription_at: new Date(Date.now() - 3600_000).toISOString() } });
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "sub-1" } });

    await pushEvent(svc, 55);
    await evaluateSubscriptionUsage(testDb(), sub.id);
    const [progressive] = (await waitFor(async () => {
      const found = await progressiveInvoices(svc.id);
      return found.length ? found : null;
    }))!;
    expect(progressive).toMatchObject({ subtotalCents: 5500n, totalCents: 6215n });
    // The month of the yearly period, as current_usage shows it and the close bills it (not the year).
    expect(progressive.periodEnd!.getTime() - progressive.periodStart!.getTime()).toBeLessThan(32 * 86_400_000);
    await pushEvent(svc, 20);
    await settle();

    const { nextBillingAt } = await testDb().subscription.findUniqueOrThrow({ where: { id: sub.id } });
    await runBillingCycle(testDb(), new Date(nextBillingAt!.getTime() + 60_000), { serviceId: svc.id });
    const close = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, invoiceType: "subscription" } });
    expect(close).toMatchObject({ progressiveBillingCreditCents: 5500n, subtotalCents: 2000n, taxesCents: 260n, totalCents: 2260n });
    // $75 of usage billed once: $84.75 with HST over the two invoices.
    expect(progressive.totalCents + close.totalCents).toBe(8475n);
  });

  it("a plan override mid-period: the child plan's charge nets what its parent charge already billed", async () => {
    const svc = await createTestService("live");
    const { sub } = await arrange(svc, [{ amount_cents: 5000 }, { amount_cents: 10000 }]);
    const parentCharge = (await svc.lago.plans.findPlan(`payg_${svc.code}`)).data.plan.charges![0];
    await pushEvent(svc, 55);
    await evaluateSubscriptionUsage(testDb(), sub.id);
    await waitFor(async () => ((await progressiveInvoices(svc.id)).length ? true : null));

    await svc.lago.subscriptions.updateSubscription("sub-1", { subscription: { plan_overrides: { charges: [{ id: parentCharge.lago_id, invoice_display_name: "Calls (negotiated)" }] } } });
    const moved = await testDb().subscription.findUniqueOrThrow({ where: { id: sub.id }, include: { plan: { include: { charges: true, usageThresholds: true } } } });
    expect(moved.plan!.parentId).not.toBeNull();
    expect(moved.plan!.usageThresholds.map((t) => t.amountCents)).toEqual([5000n, 10000n]);

    await pushEvent(svc, 50); // $105: the $100 level
    await evaluateSubscriptionUsage(testDb(), sub.id);
    const invoices = (await waitFor(async () => {
      const found = await progressiveInvoices(svc.id);
      return found.length >= 2 ? found : null;
    }))!;
    await settle();
    const final = await progressiveInvoices(svc.id);
    // The second invoice bills $50 (105 − 55), not $105 again.
    expect(final.map((i) => i.subtotalCents)).toEqual([5500n, 5000n]);
    expect(invoices[1].lines).toEqual([expect.objectContaining({ chargeId: moved.plan!.charges[0].id, amountCents: 5000n })]);
  });
});
