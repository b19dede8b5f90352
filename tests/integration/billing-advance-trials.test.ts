import { afterAll, describe, expect, it } from "vitest";
import { billAdvanceCharges } from "@/lib/invoicing/advance-charges";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { openWebhookSecret } from "@/lib/services/webhook-secrets";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";
import { WebhookReceiver, waitFor } from "../support/webhook-receiver";

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.stop();
});

/** A service whose app listens for webhooks (events are recorded only for services with an endpoint). */
async function listeningService(): Promise<TestService> {
  const svc = await createTestService("live");
  const receiver = new WebhookReceiver("");
  receivers.push(receiver);
  const url = await receiver.reservePort();
  await svc.lago.webhookEndpoints.createWebhookEndpoint({ webhook_endpoint: { webhook_url: url, signature_algo: "hmac" } });
  Object.assign(receiver, { secret: openWebhookSecret((await testDb().service.findUniqueOrThrow({ where: { id: svc.id } })).webhookSigningSecret!) });
  await receiver.start();
  return svc;
}

const ontario = (externalId: string, name: string) => ({ customer: { external_id: externalId, legal_name: name, state: "ON", country: "CA", timezone: "America/Toronto" } });
const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
const invoicesOf = (serviceId: string) =>
  testDb().invoice.findMany({ where: { serviceId }, orderBy: [{ createdAt: "asc" }, { number: "asc" }], include: { lines: { orderBy: { position: "asc" } } } });
const eventTypes = async (serviceId: string) => (await testDb().webhookEvent.findMany({ where: { serviceId }, orderBy: { sequence: "asc" } })).map((e) => e.eventType);

describe("pay-in-advance charges (instant invoices, Ontario HST 13 %)", () => {
  it("bills each event of a graduated charge incrementally, once, within seconds, and never again at the period close", async () => {
    const svc = await listeningService();
    const p = svc.code;
    const metric = await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "sum_agg", field_name: "calls" } });
    await svc.lago.plans.createPlan({
      plan: {
        name: "Advance", code: `adv_${p}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{
          billable_metric_id: metric.data.billable_metric.lago_id, charge_model: "graduated", pay_in_advance: true, invoiceable: true,
          properties: { graduated_ranges: [{ from_value: 0, to_value: 10, per_unit_amount: "1", flat_amount: "0" }, { from_value: 11, to_value: null, per_unit_amount: "0.5", flat_amount: "0" }] },
        }],
      },
    });
    const plan = await svc.lago.plans.findPlan(`adv_${p}`);
    expect(plan.data.plan.charges[0]).toMatchObject({ pay_in_advance: true, invoiceable: true });
    await svc.lago.customers.createCustomer(ontario("adv-1", "Ottawa Instant Ltd."));
    const now = new Date();
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "adv-1", plan_code: `adv_${p}`, external_id: "adv-sub" } });

    // 6 units: $6.00; 6 more cross the tier at 10: 4 × $1 + 2 × $0.50 = $5.00; 4 more: 4 × $0.50 = $2.00. Each with HST.
    const expected: bigint[][] = [[600n, 78n, 678n], [500n, 65n, 565n], [200n, 26n, 226n]];
    const at = Math.floor(Date.now() / 1000);
    for (const [n, calls] of [6, 6, 4].entries()) {
      await svc.lago.events.createEvent({ event: { transaction_id: `tx-${n}`, external_subscription_id: "adv-sub", code: `calls_${p}`, timestamp: at + n, properties: { calls } } });
      // The server's job (nudged by the event) issues the invoice: no test hook involved.
      const invoices = await waitFor(async () => {
        const all = await invoicesOf(svc.id);
        return all.length === n + 1 ? all : null;
      });
      const invoice = invoices![n];
      expect([invoice.subtotalCents, invoice.taxesCents, invoice.totalCents]).toEqual(expected[n]);
      expect(invoice.status).toBe("finalized");
      expect(invoice.number).toMatch(/^INV-/);
      expect(invoice.lines.map((l) => [l.kind, l.quantity.toString(), l.amountCents])).toEqual([["usage_charge", String(calls), expected[n][0]]]);
    }
    // A subscribed charge cannot switch to arrears (its events would be billed twice).
    const charge = plan.data.plan.charges[0];
    const flip = await lagoFailure(svc.lago.plans.updatePlan(`adv_${p}`, { plan: { charges: [{ id: charge.lago_id, billable_metric_id: charge.lago_billable_metric_id, charge_model: "graduated", pay_in_advance: false, properties: charge.properties }] } }));
    expect(flip).toMatchObject({ status: 422, body: { error_details: { "charges.0.pay_in_advance": ["cannot_change_once_subscribed"] } } });

    // Through the client: the fee says it was paid in advance, for which event.
    const listed = await svc.lago.invoices.findInvoice((await invoicesOf(svc.id))[1].id);
    expect(listed.data.invoice).toMatchObject({ invoice_type: "subscription", total_amount_cents: 565, fees: [{ pay_in_advance: true, event_transaction_id: "tx-1", amount_cents: 500 }] });
    expect((await eventTypes(svc.id)).filter((t) => t === "invoice.created")).toHaveLength(3);

    // A retried event, a retried job and two runners at once bill nothing more.
    await svc.lago.events.createEvent({ event: { transaction_id: "tx-1", external_subscription_id: "adv-sub", code: `calls_${p}`, timestamp: at + 1, properties: { calls: 6 } } });
    const [a, b] = await Promise.all([billAdvanceCharges(testDb()), billAdvanceCharges(testDb())]);
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id } });
    expect(a.failures.concat(b.failures).filter((f) => f.subscriptionId === sub.id)).toEqual([]);
    expect(await testDb().advanceChargeFee.count({ where: { subscriptionId: sub.id } })).toBe(3);
    expect(await invoicesOf(svc.id)).toHaveLength(3);

    // The period close bills the fee only: the events were billed in advance.
    const periodEnd = new Date(sub.nextBillingAt!);
    await runBillingCycle(testDb(), new Date(periodEnd.getTime() + 3600_000), { serviceId: svc.id });
    const all = await invoicesOf(svc.id);
    expect(all).toHaveLength(4);
    expect(all[3].lines.map((l) => l.kind)).toEqual(["subscription_fee"]);
    expect(all[3].lines.some((l) => l.kind === "usage_charge")).toBe(false);
    expect(now < periodEnd).toBe(true);
  });

  it("bills an event of the start day before the start instant, and keeps the tiers and fees across a plan override", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    const metric = await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "sum_agg", field_name: "calls" } });
    await svc.lago.plans.createPlan({
      plan: {
        name: "Advance", code: `adv_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{
          billable_metric_id: metric.data.billable_metric.lago_id, charge_model: "graduated", pay_in_advance: true, invoiceable: true,
          properties: { graduated_ranges: [{ from_value: 0, to_value: 10, per_unit_amount: "1", flat_amount: "0" }, { from_value: 11, to_value: null, per_unit_amount: "0.5", flat_amount: "0" }] },
        }],
      },
    });
    await svc.lago.customers.createCustomer(ontario("adv-2", "Kingston Instant Ltd."));
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "adv-2", plan_code: `adv_${p}`, external_id: "adv-sub-2" } });
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id } });
    // Same day, a few seconds before the start instant: the close counts the start day, but skips in-advance charges.
    await svc.lago.events.createEvent({ event: { transaction_id: "early", external_subscription_id: "adv-sub-2", code: `calls_${p}`, timestamp: Math.floor(sub.startedAt!.getTime() / 1000) - 5, properties: { calls: 6 } } });
    const first = (await waitFor(async () => {
      const all = await invoicesOf(svc.id);
      return all.length === 1 ? all : null;
    }))!;
    expect([first[0].subtotalCents, first[0].totalCents]).toEqual([600n, 678n]);

    // An override copies the charge under a new id: the tier goes on from 6 units, and "early" is not billed again.
    const charge = (await svc.lago.plans.findPlan(`adv_${p}`)).data.plan.charges[0];
    await svc.lago.subscriptions.updateSubscription("adv-sub-2", { subscription: { plan_overrides: { charges: [{ id: charge.lago_id, invoice_display_name: "Calls (negotiated)" }] } } });
    await svc.lago.events.createEvent({ event: { transaction_id: "after", external_subscription_id: "adv-sub-2", code: `calls_${p}`, timestamp: Math.floor(Date.now() / 1000), properties: { calls: 6 } } });
    const both = (await waitFor(async () => {
      const all = await invoicesOf(svc.id);
      return all.length === 2 ? all : null;
    }))!;
    // 4 × $1 + 2 × $0.50 = $5.00, + 13 % HST.
    expect([both[1].subtotalCents, both[1].totalCents]).toEqual([500n, 565n]);
    const summary = await billAdvanceCharges(testDb(), [sub.id]);
    expect(summary.feesRecorded).toBe(0);
    expect(await invoicesOf(svc.id)).toHaveLength(2);
    expect(await testDb().advanceChargeFee.count({ where: { subscriptionId: sub.id } })).toBe(2);
  });

  it("refuses pay-in-advance charges Lago refuses, and fee-only charges, with a code", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    const sum = await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "GB", code: `gb_${p}`, aggregation_type: "sum_agg", field_name: "gb" } });
    const max = await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Peak", code: `peak_${p}`, aggregation_type: "max_agg", field_name: "peak" } });
    const plan = (charge: Record<string, unknown>) => svc.lago.plans.createPlan({ plan: { name: "Bad", code: `bad_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false, charges: [charge] } });
    const volume = await lagoFailure(plan({ billable_metric_id: sum.data.billable_metric.lago_id, charge_model: "volume", pay_in_advance: true }));
    expect(volume.status).toBe(422);
    expect(volume.body).toMatchObject({ code: "validation_errors", error_details: { "charges.0.pay_in_advance": ["invalid_aggregation_type_or_charge_model"] } });
    const maxAgg = await lagoFailure(plan({ billable_metric_id: max.data.billable_metric.lago_id, charge_model: "standard", pay_in_advance: true }));
    expect(maxAgg.body).toMatchObject({ error_details: { "charges.0.pay_in_advance": ["invalid_aggregation_type_or_charge_model"] } });
    const minimum = await lagoFailure(plan({ billable_metric_id: sum.data.billable_metric.lago_id, charge_model: "standard", pay_in_advance: true, min_amount_cents: 500 }));
    expect(minimum.body).toMatchObject({ error_details: { "charges.0.min_amount_cents": ["not_compatible_with_pay_in_advance"] } });
    const feeOnly = await lagoFailure(plan({ billable_metric_id: sum.data.billable_metric.lago_id, charge_model: "standard", pay_in_advance: true, invoiceable: false }));
    expect(feeOnly.status).toBe(422);
    expect(JSON.stringify(feeOnly.body)).toContain("not_supported");
    const trial = await lagoFailure(svc.lago.plans.createPlan({ plan: { name: "T", code: `t_${p}`, interval: "monthly", amount_cents: 100, amount_currency: "CAD", pay_in_advance: false, trial_period: -3 } }));
    expect(trial.status).toBe(422);
  });
});

describe("trials", () => {
  it("bills 17/31 of a $31 in-arrears plan after a 14-day trial from the 1st, usage in full, and sends trial_ended once", async () => {
    const svc = await listeningService();
    const p = svc.code;
    const metric = await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Messages", code: `msg_${p}`, aggregation_type: "sum_agg", field_name: "n" } });
    await svc.lago.plans.createPlan({
      plan: {
        name: "Chat", code: `chat_${p}`, interval: "monthly", amount_cents: 3100, amount_currency: "CAD", pay_in_advance: false, trial_period: 14,
        charges: [{ billable_metric_id: metric.data.billable_metric.lago_id, charge_model: "standard", properties: { amount: "0.10" } }],
      },
    });
    expect((await svc.lago.plans.findPlan(`chat_${p}`)).data.plan.trial_period).toBe(14);
    await svc.lago.customers.createCustomer(ontario("trial-1", "Sudbury Chat Inc."));
    // October 2026 in Toronto: 31 days, local midnight 04:00Z. Subscribed Oct 1: the trial covers Oct 1–14.
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "trial-1", plan_code: `chat_${p}`, external_id: "trial-sub", subscription_at: "2026-10-01T04:00:00Z" } });
    // Usage during the trial is billed as usual (only the subscription fee is free, as in Lago).
    await svc.lago.events.createEvent({ event: { transaction_id: "m-1", external_subscription_id: "trial-sub", code: `msg_${p}`, timestamp: seconds("2026-10-05T15:00:00Z"), properties: { n: 30 } } });

    await runBillingCycle(testDb(), new Date("2026-11-01T05:00:00Z"), { serviceId: svc.id });
    const [invoice] = await invoicesOf(svc.id);
    // Fee Oct 15–31: 17/31 × $31 = $17.00; usage 30 × $0.10 = $3.00; HST 13 % of $20.00 = $2.60.
    expect(invoice.lines.map((l) => [l.kind, l.description, l.amountCents])).toEqual([
      ["subscription_fee", "Chat — 2026-10-15 to 2026-10-31 (17 of 31 days)", 1700n],
      ["usage_charge", "Messages", 300n],
    ]);
    expect([invoice.subtotalCents, invoice.taxesCents, invoice.totalCents]).toEqual([2000n, 260n, 2260n]);
    const fetched = await svc.lago.subscriptions.findSubscription("trial-sub");
    expect(fetched.data.subscription.trial_ended_at).toBe("2026-10-15T04:00:00.000Z");

    // Later runs never send trial_ended again; November is billed in full ($31 + HST $4.03).
    await runBillingCycle(testDb(), new Date("2026-12-01T06:00:00Z"), { serviceId: svc.id });
    expect((await eventTypes(svc.id)).filter((t) => t === "subscription.trial_ended")).toHaveLength(1);
    const all = await invoicesOf(svc.id);
    expect(all.map((i) => i.totalCents)).toEqual([2260n, 3503n]);
  });

  it("invoices an in-advance plan at trial end for the rest of the period, nothing before", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    await svc.lago.plans.createPlan({ plan: { name: "Pro", code: `pro_${p}`, interval: "monthly", amount_cents: 3100, amount_currency: "CAD", pay_in_advance: true, trial_period: 14 } });
    await svc.lago.customers.createCustomer(ontario("trial-2", "Windsor Pro Ltd."));
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "trial-2", plan_code: `pro_${p}`, external_id: "pro-sub", subscription_at: "2026-10-01T04:00:00Z" } });
    await runBillingCycle(testDb(), new Date("2026-10-14T12:00:00Z"), { serviceId: svc.id });
    expect(await invoicesOf(svc.id)).toHaveLength(0);
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id } });
    expect(sub.nextBillingAt).toEqual(new Date("2026-10-15T04:00:00Z"));
    await runBillingCycle(testDb(), new Date("2026-10-15T05:00:00Z"), { serviceId: svc.id });
    await runBillingCycle(testDb(), new Date("2026-11-01T05:00:00Z"), { serviceId: svc.id });
    const all = await invoicesOf(svc.id);
    // Oct 15–31 at trial end: $17.00 + HST $2.21; November in advance on Nov 1: $31.00 + HST $4.03.
    expect(all.map((i) => [i.lines[0].description, i.totalCents])).toEqual([
      ["Pro — 2026-10-15 to 2026-10-31 (17 of 31 days)", 1921n],
      ["Pro — 2026-11-01 to 2026-11-30", 3503n],
    ]);
  });
});

describe("bill_charges_monthly on a yearly plan", () => {
  it("bills usage at each month end and the yearly fee once, at the year end", async () => {
    const svc = await createTestService("live");
    const p = svc.code;
    const metric = await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Seats", code: `seat_${p}`, aggregation_type: "sum_agg", field_name: "n" } });
    await svc.lago.plans.createPlan({
      plan: {
        name: "Yearly", code: `yr_${p}`, interval: "yearly", amount_cents: 120000, amount_currency: "CAD", pay_in_advance: false, bill_charges_monthly: true,
        charges: [{ billable_metric_id: metric.data.billable_metric.lago_id, charge_model: "standard", properties: { amount: "2" } }],
      },
    });
    expect((await svc.lago.plans.findPlan(`yr_${p}`)).data.plan.bill_charges_monthly).toBe(true);
    await svc.lago.customers.createCustomer(ontario("yr-1", "Barrie Annual Corp."));
    // 2026 in Toronto: local midnight is 05:00Z in winter, 04:00Z in summer.
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "yr-1", plan_code: `yr_${p}`, external_id: "yr-sub", subscription_at: "2026-01-01T05:00:00Z" } });
    const send = (id: string, at: string, n: number) =>
      svc.lago.events.createEvent({ event: { transaction_id: id, external_subscription_id: "yr-sub", code: `seat_${p}`, timestamp: seconds(at), properties: { n } } });
    await send("jan", "2026-01-20T15:00:00Z", 5);
    await send("feb", "2026-02-10T15:00:00Z", 3);

    await runBillingCycle(testDb(), new Date("2026-02-01T06:00:00Z"), { serviceId: svc.id });
    let all = await invoicesOf(svc.id);
    // January's usage on Feb 1: 5 × $2 = $10.00 + HST $1.30; no fee yet.
    expect(all.map((i) => [i.lines.map((l) => [l.kind, l.amountCents]), i.totalCents])).toEqual([[[["usage_charge", 1000n]], 1130n]]);
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id } });
    expect(sub.nextBillingAt).toEqual(new Date("2026-03-01T05:00:00Z"));
    // A second run at the same instant bills nothing again.
    await runBillingCycle(testDb(), new Date("2026-02-01T06:00:00Z"), { serviceId: svc.id });
    expect(await invoicesOf(svc.id)).toHaveLength(1);

    await send("dec", "2026-12-15T15:00:00Z", 1);
    await runBillingCycle(testDb(), new Date("2027-01-01T06:00:00Z"), { serviceId: svc.id });
    all = await invoicesOf(svc.id);
    // February's usage on Mar 1 ($6.00 + $0.78); months without usage issue nothing; on Jan 1 the yearly fee with
    // December's usage: $1,200.00 + $2.00, HST $156.26.
    expect(all.map((i) => [i.lines.map((l) => [l.kind, l.amountCents]), i.totalCents])).toEqual([
      [[["usage_charge", 1000n]], 1130n],
      [[["usage_charge", 600n]], 678n],
      [[["subscription_fee", 120000n], ["usage_charge", 200n]], 135826n],
    ]);
    const usagePeriods = all.map((i) => i.lines.filter((l) => l.kind === "usage_charge").map((l) => [l.periodStart!.toISOString(), l.periodEnd!.toISOString()])[0]);
    expect(usagePeriods).toEqual([
      ["2026-01-01T05:00:00.000Z", "2026-02-01T05:00:00.000Z"],
      ["2026-02-01T05:00:00.000Z", "2026-03-01T05:00:00.000Z"],
      ["2026-12-01T05:00:00.000Z", "2027-01-01T05:00:00.000Z"],
    ]);
  });
});
