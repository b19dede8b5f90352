import { beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { refreshDraftInvoice } from "@/lib/invoicing/invoice-actions";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";

// October 2026 in Toronto: local midnight Oct 1 and Nov 1 are both 04:00Z.
const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");
const OCT_20 = Math.floor(new Date("2026-10-20T15:00:00Z").getTime() / 1000);

async function companyInOntario() {
  await testDb().companyProfile.upsert({
    where: { id: 1 },
    update: {},
    create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001" },
  });
}

async function invoicesOf(svc: TestService, externalCustomerId: string) {
  const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: externalCustomerId } } });
  return testDb().invoice.findMany({ where: { customerId: link.customerId, serviceId: svc.id }, include: { lines: { orderBy: { position: "asc" } } } });
}

const MAPS_FILTERS = [
  { key: "request_type", values: ["geocode", "directions", "tiles"] },
  { key: "region", values: ["ca", "us"] },
];

/**
 * A maps API priced per request type: geocoding and directions at $0.05, directions in the US (more specific: two
 * keys) at $0.10, everything else (tiles, events without the property, pushed rollups) at the default $0.01. $20/month.
 */
async function mapsCatalog(svc: TestService) {
  const p = svc.code;
  const metric = (await svc.lago.billableMetrics.createBillableMetric({
    billable_metric: { name: "Map requests", code: `maps_${p}`, aggregation_type: "count_agg", filters: MAPS_FILTERS },
  })).data.billable_metric;
  const plan = (await svc.lago.plans.createPlan({
    plan: {
      name: "Maps", code: `maps_${p}`, interval: "monthly", amount_cents: 2000, amount_currency: "CAD", pay_in_advance: false,
      charges: [{
        billable_metric_id: metric.lago_id, charge_model: "standard", invoice_display_name: "Other map requests", properties: { amount: "0.01" },
        filters: [
          { invoice_display_name: "Geocoding & directions", properties: { amount: "0.05" }, values: { request_type: ["geocode", "directions"] } },
          { invoice_display_name: "Directions in the US", properties: { amount: "0.10" }, values: { request_type: ["directions"], region: ["us"] } },
        ],
      }],
    },
  })).data.plan;
  return { metric, plan };
}

/** October usage: 130 events in the first filter, 40 in the second, 70 in the default bucket (+10 pushed). */
async function mapsOctoberUsage(svc: TestService, sub: string) {
  const p = svc.code;
  const groups: [number, Record<string, string> | undefined][] = [
    [100, { request_type: "geocode", region: "ca" }],
    [30, { request_type: "directions", region: "ca" }],
    [40, { request_type: "directions", region: "us" }],
    [50, { request_type: "tiles" }],
    [20, undefined],
  ];
  let n = 0;
  for (const [count, properties] of groups) {
    await svc.lago.events.createBatchEvents({
      events: Array.from({ length: count }, () => ({ transaction_id: `${sub}-oct-${n++}`, external_subscription_id: sub, code: `maps_${p}`, timestamp: OCT_20 + n, ...(properties ? { properties } : {}) })),
    });
  }
  const push = await svc.call("/usage", {
    method: "POST",
    json: { usage: { external_subscription_id: sub, code: `maps_${p}`, period_start: "2026-10-02T04:00:00Z", period_end: "2026-10-02T05:00:00Z", value: 10, idempotency_key: `${sub}-push` } },
  });
  expect(push.status).toBe(200);
}

describe("charge filters: price by event property, through the period close, a draft's refresh and current usage", () => {
  let svc: TestService;

  beforeAll(async () => {
    await companyInOntario();
    svc = await createTestService("live");
    await mapsCatalog(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "maps-on", legal_name: "Toronto Routes Inc.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "maps-on", plan_code: `maps_${svc.code}`, external_id: "sub-maps-on", subscription_at: OCT_1 } });
    await mapsOctoberUsage(svc, "sub-maps-on");
  });

  it("returns the charge's filters on the plan as Lago shapes them", async () => {
    const plan = (await svc.lago.plans.findPlan(`maps_${svc.code}`)).data.plan;
    expect(plan.charges[0].filters).toEqual([
      { invoice_display_name: "Geocoding & directions", properties: { amount: "0.05" }, values: { request_type: ["geocode", "directions"] } },
      { invoice_display_name: "Directions in the US", properties: { amount: "0.10" }, values: { request_type: ["directions"], region: ["us"] } },
    ]);
    const metric = (await svc.lago.billableMetrics.findBillableMetric(`maps_${svc.code}`)).data.billable_metric;
    expect(metric.filters).toEqual(MAPS_FILTERS);
  });

  it("bills one line per filter and one for the default, with Ontario HST, to the cent", async () => {
    const summary = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(summary.failures.filter((f) => f.serviceId === svc.id)).toEqual([]);
    const [invoice] = await invoicesOf(svc, "maps-on");
    // $20 + 130 × $0.05 ($6.50) + 40 × $0.10 ($4.00) + 80 × $0.01 ($0.80) = $31.30; HST 13 % = $4.069 → $4.07; $35.37.
    expect({ sub: invoice.subtotalCents, tax: invoice.taxesCents, total: invoice.totalCents }).toEqual({ sub: 3130n, tax: 407n, total: 3537n });
    expect(invoice.lines.map((l) => [l.kind, l.description, l.quantity.toString(), l.amountCents])).toEqual([
      ["subscription_fee", expect.stringContaining("Maps"), "1", 2000n],
      ["usage_charge", "Geocoding & directions", "130", 650n],
      ["usage_charge", "Directions in the US", "40", 400n],
      ["usage_charge", "Other map requests", "80", 80n],
    ]);
    expect((invoice.lines[1].details as { filter: unknown }).filter).toEqual({ index: 0, values: { request_type: ["geocode", "directions"] } });
    expect((invoice.lines[3].details as { filter: unknown }).filter).toBe("default");
  });

  it("rates current usage per filter in SQL, with the filters listed as Lago lists them", async () => {
    // November so far: 3 geocodes, 2 US directions, 4 events of no filter.
    const now = Math.floor(Date.now() / 1000) - 120;
    const sent: [string, Record<string, string>][] = [
      ...Array.from({ length: 3 }, (_, i): [string, Record<string, string>] => [`nov-g-${i}`, { request_type: "geocode" }]),
      ...Array.from({ length: 2 }, (_, i): [string, Record<string, string>] => [`nov-d-${i}`, { request_type: "directions", region: "us" }]),
      ...Array.from({ length: 4 }, (_, i): [string, Record<string, string>] => [`nov-o-${i}`, { request_type: "satellite" }]),
    ];
    await svc.lago.events.createBatchEvents({ events: sent.map(([id, properties], i) => ({ transaction_id: id, external_subscription_id: "sub-maps-on", code: `maps_${svc.code}`, timestamp: now + i, properties })) });
    const usage = (await svc.lago.customers.findCustomerCurrentUsage("maps-on", { external_subscription_id: "sub-maps-on" })).data.customer_usage;
    // Usage only (the fee is not usage): 3 × $0.05 + 2 × $0.10 + 4 × $0.01 = $0.39; HST $0.0507 → $0.05.
    expect({ amount: usage.amount_cents, taxes: usage.taxes_amount_cents, total: usage.total_amount_cents }).toEqual({ amount: 39, taxes: 5, total: 44 });
    expect(usage.charges_usage).toHaveLength(1);
    const charge = usage.charges_usage[0];
    expect({ units: charge.units, events: charge.events_count, amount: charge.amount_cents }).toEqual({ units: "9", events: 9, amount: 39 });
    expect(charge.filters.map((f: { invoice_display_name: string | null; units: string; amount_cents: number; values: unknown }) => [f.invoice_display_name, f.units, f.amount_cents, f.values])).toEqual([
      ["Geocoding & directions", "3", 15, { request_type: ["geocode", "directions"] }],
      ["Directions in the US", "2", 20, { request_type: ["directions"], region: ["us"] }],
      [null, "4", 4, {}],
    ]);
  });

  it("refreshes a draft exactly as the close priced it (SQL summaries against the close's loaded events)", async () => {
    const shadow = await createTestService("shadow");
    await mapsCatalog(shadow);
    await shadow.lago.customers.createCustomer({ customer: { external_id: "maps-shadow", legal_name: "Ottawa Maps Ltd.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await shadow.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "maps-shadow", plan_code: `maps_${shadow.code}`, external_id: "sub-maps-shadow", subscription_at: OCT_1 } });
    await mapsOctoberUsage(shadow, "sub-maps-shadow");
    await runBillingCycle(testDb(), CLOSE_AT, { serviceId: shadow.id });
    const [draft] = await invoicesOf(shadow, "maps-shadow");
    expect(draft).toMatchObject({ status: "draft", subtotalCents: 3130n, taxesCents: 407n, totalCents: 3537n });
    const refreshed = await refreshDraftInvoice(testDb(), draft.id);
    expect({ sub: refreshed.subtotalCents, tax: refreshed.taxesCents, total: refreshed.totalCents }).toEqual({ sub: 3130n, tax: 407n, total: 3537n });
    const [after] = await invoicesOf(shadow, "maps-shadow");
    expect(after.lines.map((l) => [l.description, l.quantity.toString(), l.amountCents])).toEqual(draft.lines.map((l) => [l.description, l.quantity.toString(), l.amountCents]));
  });

  it("refuses filters that the metric does not declare, with a code", async () => {
    const metric = (await svc.lago.billableMetrics.findBillableMetric(`maps_${svc.code}`)).data.billable_metric;
    const planWith = (filters: unknown, extra: Record<string, unknown> = {}) => svc.lago.plans.createPlan({
      plan: { name: "Bad", code: `bad_${svc.code}_${Math.random().toString(36).slice(2, 8)}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.01" }, filters, ...extra }] },
    });
    const unknownKey = await lagoFailure(planWith([{ properties: { amount: "1" }, values: { country: ["ca"] } }]));
    expect(unknownKey).toMatchObject({ status: 422, body: { code: "validation_errors", error_details: { "charges.0.filters.0.values.country": ["invalid_filter_key"] } } });
    const unknownValue = await lagoFailure(planWith([{ properties: { amount: "1" }, values: { request_type: ["teleport"] } }]));
    expect(unknownValue.body).toMatchObject({ code: "validation_errors", error_details: { "charges.0.filters.0.values.request_type": ["invalid_filter_value"] } });
    const badAmount = await lagoFailure(planWith([{ properties: { amount: 1 }, values: { request_type: ["tiles"] } }]));
    expect(badAmount.body).toMatchObject({ code: "validation_errors", error_details: { "charges.0.filters.0.properties.amount": ["invalid_amount"] } });
    const withMinimum = await lagoFailure(planWith([{ properties: { amount: "1" }, values: { request_type: ["tiles"] } }], { min_amount_cents: 500 }));
    expect(withMinimum.body).toMatchObject({ error_details: { "charges.0.min_amount_cents": ["not_compatible_with_filters"] } });
    // A metric cannot drop a value a charge filter still prices.
    const drop = await lagoFailure(svc.lago.billableMetrics.updateBillableMetric(`maps_${svc.code}`, { billable_metric: { filters: [{ key: "request_type", values: ["tiles"] }] } }));
    expect(drop).toMatchObject({ status: 422, body: { error_details: { filters: ["filters_in_use"] } } });
  });
});

describe("plan overrides: a negotiated price for one subscription", () => {
  let svc: TestService;
  let parent: { lago_id: string; charges: { lago_id: string }[] };

  beforeAll(async () => {
    await companyInOntario();
    svc = await createTestService("live");
    const p = svc.code;
    const calls = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    parent = (await svc.lago.plans.createPlan({
      plan: { name: "Standard", code: `std_${p}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: "0.02" } }] },
    })).data.plan;
    for (const id of ["list", "deal"]) {
      await svc.lago.customers.createCustomer({ customer: { external_id: `ov-${id}`, legal_name: `Ontario ${id} Inc.`, state: "ON", country: "CA", timezone: "America/Toronto" } });
    }
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "ov-list", plan_code: `std_${p}`, external_id: "sub-list", subscription_at: OCT_1 } });
    const created = (await svc.lago.subscriptions.createSubscription({
      subscription: {
        external_customer_id: "ov-deal", plan_code: `std_${p}`, external_id: "sub-deal", subscription_at: OCT_1,
        plan_overrides: { amount_cents: 4000, name: "Standard (negotiated)", charges: [{ id: parent.charges[0].lago_id, invoice_display_name: "Calls (negotiated)", properties: { amount: "0.015" } }] },
      },
    })).data.subscription;
    expect(created.plan_amount_cents).toBe(4000);
    for (const sub of ["sub-list", "sub-deal"]) {
      for (const half of [0, 100]) {
        await svc.lago.events.createBatchEvents({ events: Array.from({ length: 100 }, (_, i) => ({ transaction_id: `${sub}-${half + i}`, external_subscription_id: sub, code: `calls_${p}`, timestamp: OCT_20 + half + i })) });
      }
    }
  });

  it("updates the negotiated price in place with PUT, and GET returns the overridden plan as Lago does", async () => {
    const before = (await svc.lago.subscriptions.findSubscription("sub-deal", {})).data.subscription;
    const updated = (await svc.lago.subscriptions.updateSubscription("sub-deal", { subscription: { plan_overrides: { amount_cents: 3500 } } })).data.subscription;
    expect(updated.plan.lago_id).toBe(before.plan.lago_id);
    const got = (await svc.lago.subscriptions.findSubscription("sub-deal", {})).data.subscription;
    expect(got).toMatchObject({ plan_code: `std_${svc.code}`, plan_amount_cents: 3500 });
    expect(got.plan).toMatchObject({ code: `std_${svc.code}`, name: "Standard (negotiated)", amount_cents: 3500, parent_id: parent.lago_id });
    expect(got.plan.lago_id).not.toBe(parent.lago_id);
    expect(got.plan.charges[0]).toMatchObject({ lago_parent_id: parent.charges[0].lago_id, invoice_display_name: "Calls (negotiated)", properties: { amount: "0.015" } });
    // The list price subscription and the catalog still show the parent; the child plan is never listed nor found by code.
    expect((await svc.lago.subscriptions.findSubscription("sub-list", {})).data.subscription.plan).toMatchObject({ lago_id: parent.lago_id, amount_cents: 5000, parent_id: null });
    expect((await svc.lago.plans.findPlan(`std_${svc.code}`)).data.plan.lago_id).toBe(parent.lago_id);
    const overridden = (await svc.lago.subscriptions.findAllSubscriptions({ overridden: true })).data.subscriptions.map((s: { external_id: string }) => s.external_id);
    expect(overridden).toEqual(["sub-deal"]);
    const plain = (await svc.lago.subscriptions.findAllSubscriptions({ overridden: false, plan_code: `std_${svc.code}` })).data.subscriptions.map((s: { external_id: string }) => s.external_id);
    expect(plain).toEqual(["sub-list"]);
    const listed = (await svc.lago.plans.findAllPlans({ per_page: 100 })).data.plans.filter((pl: { code: string }) => pl.code === `std_${svc.code}`);
    expect(listed.map((pl: { lago_id: string }) => pl.lago_id)).toEqual([parent.lago_id]);
  });

  it("bills the negotiated price to its subscription only; the parent's later edit reaches the list price only", async () => {
    // The parent plan's price goes up after the deal was signed.
    await svc.lago.plans.updatePlan(`std_${svc.code}`, { plan: { amount_cents: 6000 } });
    const summary = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    expect(summary.failures.filter((f) => f.serviceId === svc.id)).toEqual([]);
    // List: $60 + 200 × $0.02 = $64.00; HST $8.32; $72.32.
    const [list] = await invoicesOf(svc, "ov-list");
    expect({ sub: list.subtotalCents, tax: list.taxesCents, total: list.totalCents }).toEqual({ sub: 6400n, tax: 832n, total: 7232n });
    // Deal: $35 + 200 × $0.015 = $38.00; HST $4.94; $42.94.
    const [deal] = await invoicesOf(svc, "ov-deal");
    expect({ sub: deal.subtotalCents, tax: deal.taxesCents, total: deal.totalCents }).toEqual({ sub: 3800n, tax: 494n, total: 4294n });
    expect(deal.lines.map((l) => [l.kind, l.description.split(" — ")[0], l.amountCents])).toEqual([
      ["subscription_fee", "Standard (negotiated)", 3500n],
      ["usage_charge", "Calls (negotiated)", 300n],
    ]);
  });

  it("refuses what overrides do not implement, and charges outside the subscription's plan, with codes", async () => {
    const put = (planOverrides: unknown) => lagoFailure(svc.lago.subscriptions.updateSubscription("sub-deal", { subscription: { plan_overrides: planOverrides } }));
    expect(await put({ trial_period: 14 })).toMatchObject({ status: 422, body: { code: "validation_errors", error_details: { "plan_overrides.trial_period": ["not_supported"] } } });
    expect((await put({ usage_thresholds: [{ amount_cents: 100 }] })).body).toMatchObject({ error_details: { "plan_overrides.usage_thresholds": ["not_supported"] } });
    expect((await put({ minimum_commitment: { amount_cents: 100 } })).body).toMatchObject({ error_details: { "plan_overrides.minimum_commitment": ["not_supported"] } });
    expect((await put({ charges: [{ id: parent.charges[0].lago_id, billable_metric_id: parent.charges[0].lago_id }] })).body).toMatchObject({ error_details: { "plan_overrides.charges.0.billable_metric_id": ["not_supported"] } });
    expect((await put({ charges: [{ id: parent.charges[0].lago_id, properties: { amount: "-1" } }] })).body).toMatchObject({ error_details: { "plan_overrides.charges.0.properties.amount": ["invalid_amount"] } });
    expect((await put({ amount_cents: -5 })).status).toBe(422);

    // Another service's plan charge is not a charge of this subscription's plan.
    const other = await createTestService("live");
    const otherMetric = (await other.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Other", code: `other_${other.code}`, aggregation_type: "count_agg" } })).data.billable_metric;
    const otherPlan = (await other.lago.plans.createPlan({
      plan: { name: "Other", code: `other_${other.code}`, interval: "monthly", amount_cents: 100, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: otherMetric.lago_id, charge_model: "standard", properties: { amount: "1" } }] },
    })).data.plan;
    expect((await put({ charges: [{ id: otherPlan.charges[0].lago_id, properties: { amount: "0" } }] })).body).toMatchObject({ code: "validation_errors", error_details: { "plan_overrides.charges.0.id": ["charge_not_found"] } });
    // And that service cannot override this one's subscription.
    expect((await lagoFailure(other.lago.subscriptions.updateSubscription("sub-deal", { subscription: { plan_overrides: { amount_cents: 1 } } }))).body).toMatchObject({ status: 404, code: "subscription_not_found" });
    // Nothing of the refused requests was written.
    expect((await svc.lago.subscriptions.findSubscription("sub-deal", {})).data.subscription.plan_amount_cents).toBe(3500);
  });

  it("refuses a first override in another currency than the customer's, the same on POST as on PUT, writing nothing", async () => {
    const p = svc.code;
    await svc.lago.customers.createCustomer({ customer: { external_id: "ov-cad", legal_name: "Ontario CAD Inc.", state: "ON", country: "CA", currency: "CAD", timezone: "America/Toronto" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "ov-cad", plan_code: `std_${p}`, external_id: "sub-cad" } });
    const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: "ov-cad" } } });
    const written = async () => ({
      plans: await testDb().plan.count({ where: { serviceId: svc.id } }),
      audit: await testDb().auditLog.count({ where: { action: "subscription.plan_overridden", entityId: (await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "sub-cad" } })).id } }),
      customerCurrency: (await testDb().customer.findUniqueOrThrow({ where: { id: link.customerId } })).currency,
      subscription: (await svc.lago.subscriptions.findSubscription("sub-cad", {})).data.subscription.plan,
    });
    const before = await written();
    expect(before.subscription).toMatchObject({ lago_id: parent.lago_id, amount_currency: "CAD" });
    const overrides = { amount_cents: 4500, amount_currency: "USD" };
    // POST for the plan it already has (Lago's way of negotiating a price on create) and PUT: one refusal.
    const post = await lagoFailure(svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "ov-cad", plan_code: `std_${p}`, external_id: "sub-cad", plan_overrides: overrides } }));
    const put = await lagoFailure(svc.lago.subscriptions.updateSubscription("sub-cad", { subscription: { plan_overrides: overrides } }));
    for (const refused of [post, put]) {
      expect(refused).toMatchObject({ status: 422, body: { status: 422, code: "validation_errors", error_details: { "plan_overrides.amount_currency": ["currencies_does_not_match"] } } });
    }
    expect(post.body).toEqual(put.body);
    expect(await written()).toEqual(before);
    // In the customer's own currency the same override goes through.
    const accepted = (await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "ov-cad", plan_code: `std_${p}`, external_id: "sub-cad", plan_overrides: { amount_cents: 4500, amount_currency: "CAD" } } })).data.subscription;
    expect(accepted).toMatchObject({ plan_amount_cents: 4500 });
  });
});
