import { beforeAll, describe, expect, it } from "vitest";
import { billAdvanceCharges } from "@/lib/invoicing/advance-charges";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";

// October 2026 in Toronto and Montréal: local midnight Oct 1 and Nov 1 are both 04:00Z.
const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");
const OCT_20 = Math.floor(new Date("2026-10-20T15:00:00Z").getTime() / 1000);

async function companyProfile() {
  await testDb().companyProfile.upsert({
    where: { id: 1 },
    update: {},
    create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001", bcPstNumber: "PST-1234-5678" },
  });
}

/**
 * The pricing features together, as the maps API sells them, through the official Lago client: a negotiated fee
 * (plan override), prices by request type (charge filters), a percentage coupon before tax, then prepaid credit
 * (a wallet) after tax, on a Quebec invoice (GST 5 % + QST 9.975 %). Every figure is worked out by hand below.
 */
describe("pricing features on one invoice", () => {
  let svc: TestService;
  let p: string;

  beforeAll(async () => {
    await companyProfile();
    svc = await createTestService("live");
    p = svc.code;
  });

  it("negotiated fee + filtered usage − 15 % coupon, GST + QST, then $50 of prepaid credit: due $41.87", async () => {
    const metric = (await svc.lago.billableMetrics.createBillableMetric({
      billable_metric: { name: "Map requests", code: `req_${p}`, aggregation_type: "sum_agg", field_name: "requests", filters: [{ key: "request_type", values: ["geocode", "directions", "tiles"] }] },
    })).data.billable_metric;
    const plan = (await svc.lago.plans.createPlan({
      plan: {
        name: "Maps", code: `maps_${p}`, interval: "monthly", amount_cents: 8000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{
          billable_metric_id: metric.lago_id, charge_model: "standard", invoice_display_name: "Other requests", properties: { amount: "0.002" },
          filters: [
            { invoice_display_name: "Geocoding", properties: { amount: "0.005" }, values: { request_type: ["geocode"] } },
            { invoice_display_name: "Directions", properties: { amount: "0.01" }, values: { request_type: ["directions"] } },
          ],
        }],
      },
    })).data.plan;
    await svc.lago.customers.createCustomer({ customer: { external_id: "mtl", legal_name: "Cartes Montréal inc.", state: "QC", country: "CA", timezone: "America/Toronto", currency: "CAD" } });
    // The negotiated fee: $70 instead of the list $80, for this subscription only.
    const subscription = (await svc.lago.subscriptions.createSubscription({
      subscription: { external_customer_id: "mtl", plan_code: plan.code, external_id: "sub-mtl", subscription_at: OCT_1, plan_overrides: { amount_cents: 7000 } },
    })).data.subscription;
    expect(subscription).toMatchObject({ plan_code: plan.code, status: "active" });

    const events: [string, Record<string, unknown>][] = [
      ["geo", { request_type: "geocode", requests: 1000 }], // 1000 × $0.005 = $5.00
      ["dir", { request_type: "directions", requests: 500 }], // 500 × $0.01 = $5.00
      ["tiles", { request_type: "tiles", requests: 1500 }], // default: 1500 × $0.002 = $3.00
      ["bare", { requests: 500 }], // default: 500 × $0.002 = $1.00
    ];
    for (const [id, properties] of events) {
      await svc.lago.events.createEvent({ event: { transaction_id: `${id}-${p}`, external_subscription_id: "sub-mtl", code: metric.code, timestamp: OCT_20, properties } });
    }

    const coupon = (await svc.lago.coupons.createCoupon({ coupon: { code: `MAPS15_${p}`, name: "Maps 15 %", coupon_type: "percentage", percentage_rate: "15", frequency: "forever", expiration: "no_expiration" } })).data.coupon;
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "mtl", coupon_code: coupon.code } });
    const wallet = (await svc.lago.wallets.createWallet({ wallet: { external_customer_id: "mtl", name: "Prepaid maps", rate_amount: "1.00", currency: "CAD", granted_credits: "50" } })).data.wallet;
    expect(wallet).toMatchObject({ balance_cents: 5000, status: "active" });

    expect((await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id })).failures).toEqual([]);
    const stored = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, invoiceType: "subscription" } });
    const invoice = (await svc.lago.invoices.findInvoice(stored.id)).data.invoice;
    // Lines: $70.00 + $5.00 + $5.00 + $4.00 = $94.00. Coupon 15 % = $14.10, taxable $79.90.
    // GST 5 % of $79.90 = $3.995 → $4.00 (half up); QST 9.975 % = $7.970025 → $7.97. Total $91.87.
    // The wallet pays $50.00 after tax: $41.87 is due.
    expect(invoice).toMatchObject({
      status: "finalized",
      fees_amount_cents: 9400,
      coupons_amount_cents: 1410,
      sub_total_excluding_taxes_amount_cents: 7990,
      taxes_amount_cents: 1197,
      sub_total_including_taxes_amount_cents: 9187,
      prepaid_credit_amount_cents: 5000,
      credit_notes_amount_cents: 0,
      total_amount_cents: 4187,
    });
    const fees = (invoice.fees as { item: { type: string; name: string }; amount_cents: number }[]).map((f) => [f.item.name, f.amount_cents]);
    expect(fees).toEqual(expect.arrayContaining([["Geocoding", 500], ["Directions", 500], ["Other requests", 400]]));
    expect(fees.reduce((sum, [, cents]) => sum + Number(cents), 0)).toBe(9400);
    const taxes = await testDb().invoiceTax.findMany({ where: { invoiceId: stored.id }, orderBy: { code: "asc" } });
    expect(taxes.map((t) => [t.code, t.taxableAmountCents, t.amountCents])).toEqual([["GST", 7990n, 400n], ["QST", 7990n, 797n]]);
    const after = (await svc.lago.wallets.findWallet(wallet.lago_id)).data.wallet;
    expect(after).toMatchObject({ balance_cents: 0, consumed_credits: "50" });

    // A re-run bills nothing twice: one invoice, the coupon and the wallet taken once.
    expect((await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id })).invoicesCreated).toBe(0);
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(1);
  });

  it("a pay-in-advance charge with filters bills each event at its filter's price, once", async () => {
    const metric = (await svc.lago.billableMetrics.createBillableMetric({
      billable_metric: { name: "Route requests", code: `route_${p}`, aggregation_type: "count_agg", filters: [{ key: "mode", values: ["car", "truck"] }] },
    })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: {
        name: "Routes", code: `routes_${p}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{
          billable_metric_id: metric.lago_id, charge_model: "standard", pay_in_advance: true, invoiceable: true, properties: { amount: "1.00" },
          filters: [{ invoice_display_name: "Truck routes", properties: { amount: "4.00" }, values: { mode: ["truck"] } }],
        }],
      },
    });
    await svc.lago.customers.createCustomer({ customer: { external_id: "tor", legal_name: "Toronto Freight Ltd.", state: "ON", country: "CA", timezone: "America/Toronto", currency: "CAD" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "tor", plan_code: `routes_${p}`, external_id: "sub-tor" } });
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "sub-tor" } });
    const now = Math.floor(Date.now() / 1000);
    await svc.lago.events.createEvent({ event: { transaction_id: `truck-${p}`, external_subscription_id: "sub-tor", code: metric.code, timestamp: now, properties: { mode: "truck" } } });
    await svc.lago.events.createEvent({ event: { transaction_id: `car-${p}`, external_subscription_id: "sub-tor", code: metric.code, timestamp: now, properties: { mode: "car" } } });

    await Promise.all([billAdvanceCharges(testDb(), [sub.id]), billAdvanceCharges(testDb(), [sub.id])]);
    const invoices = await testDb().invoice.findMany({ where: { serviceId: svc.id, customer: { accountLinks: { some: { externalId: "tor" } } } }, include: { lines: true }, orderBy: { totalCents: "desc" } });
    // Truck: $4.00 + HST 13 % $0.52 = $4.52; car (the default price): $1.00 + $0.13 = $1.13. One invoice per event.
    expect(invoices.map((i) => [i.lines.map((l) => l.description).join(), i.subtotalCents, i.taxesCents, i.totalCents])).toEqual([
      [expect.stringContaining("Truck routes"), 400n, 52n, 452n],
      [expect.not.stringContaining("Truck"), 100n, 13n, 113n],
    ]);
  });

  it("a service cannot delete a plan another service's customers hold at a negotiated price", async () => {
    const owner = await createTestService("live");
    const other = await createTestService("live");
    await owner.lago.plans.createPlan({ plan: { name: "Shared", code: `shared_${owner.code}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false, charges: [] } });
    await other.lago.customers.createCustomer({ customer: { external_id: "deal", legal_name: "Deal Ltd.", state: "ON", country: "CA", timezone: "America/Toronto", currency: "CAD" } });
    await other.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "deal", plan_code: `shared_${owner.code}`, external_id: "sub-deal", plan_overrides: { amount_cents: 4000 } } });

    const refused = await lagoFailure(owner.lago.plans.destroyPlan(`shared_${owner.code}`));
    expect(refused).toMatchObject({ status: 409, body: { code: "plan_used_by_other_services" } });
    const held = await testDb().subscription.findFirstOrThrow({ where: { serviceId: other.id, externalId: "sub-deal" } });
    expect(held.status).toBe("active");
  });
});
