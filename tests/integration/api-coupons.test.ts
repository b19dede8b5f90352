import { beforeAll, describe, expect, it } from "vitest";
import { terminateCoupon } from "@/lib/coupons/coupons";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { refreshDraftInvoice } from "@/lib/invoicing/invoice-actions";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";
import { builtAction, callFormAction } from "../support/server-action-http";
import { staffSession } from "../support/staff-sign-in";

// Toronto: Oct 1 and Nov 1 local midnight are 04:00Z (EDT), Dec 1 is 05:00Z (EST).
const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_NOV = new Date("2026-11-01T12:00:00.000Z");
const CLOSE_DEC = new Date("2026-12-01T12:00:00.000Z");
const CLOSE_JAN = new Date("2027-01-01T12:00:00.000Z");

async function ensureCompanyProfile() {
  await testDb().companyProfile.upsert({
    where: { id: 1 },
    update: {},
    create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001", qstNumber: "1234567890 TQ0001", bcPstNumber: "PST-1234-5678" },
  });
}

/**
 * Coupons through the official Lago client: applied before tax by the period close (composeInvoice's discounts),
 * consumed once per invoice (a re-run applies nothing twice), a fixed remainder carried to the next invoice, recurring
 * coupons counted down, plan limits respected; totals checked to the cent with Ontario HST.
 */
describe("coupons on the period close", () => {
  let svc: TestService;
  let p: string;
  const invoicesOf = async (externalCustomerId: string) => {
    const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId: externalCustomerId } } });
    return testDb().invoice.findMany({ where: { customerId: link.customerId, serviceId: svc.id }, orderBy: { periodStart: "asc" } });
  };
  const appliedOf = async (externalCustomerId: string) => (await svc.lago.appliedCoupons.findAllAppliedCoupons({ external_customer_id: externalCustomerId })).data.applied_coupons;

  /** A service of its own per test (a close bills the whole service), with its plans, coupons and this customer. */
  const arrange = async (customer: string, plan: "pro" | "lite") => {
    await ensureCompanyProfile();
    svc = await createTestService("live");
    p = svc.code;
    const calls = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "API calls", code: `calls_${p}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({ plan: { name: "Pro", code: `pro_${p}`, interval: "monthly", amount_cents: 10000, amount_currency: "CAD", pay_in_advance: false, charges: [] } });
    await svc.lago.plans.createPlan({
      plan: { name: "Lite", code: `lite_${p}`, interval: "monthly", amount_cents: 3000, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: calls.lago_id, charge_model: "standard", properties: { amount: "1" } }] },
    });
    await svc.lago.customers.createCustomer({ customer: { external_id: customer, legal_name: `${customer} Inc.`, state: "ON", country: "CA", timezone: "America/Toronto", currency: "CAD" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: customer, plan_code: `${plan}_${p}`, external_id: `sub-${customer}`, subscription_at: OCT_1 } });
    const coupons = [
      { code: "TEN", name: "Ten percent", coupon_type: "percentage", percentage_rate: "10", frequency: "recurring", frequency_duration: 2, expiration: "no_expiration" },
      { code: "FIFTY", name: "Fifty off", coupon_type: "fixed_amount", amount_cents: 5000, amount_currency: "CAD", frequency: "once", expiration: "no_expiration" },
      { code: "PRO_ONLY", name: "Pro only", coupon_type: "fixed_amount", amount_cents: 1000, amount_currency: "CAD", frequency: "forever", expiration: "no_expiration", applies_to: { plan_codes: [`pro_${p}`] } },
    ];
    for (const coupon of coupons) {
      const created = (await svc.lago.coupons.createCoupon({ coupon })).data.coupon;
      expect(created).toMatchObject({ code: coupon.code, coupon_type: coupon.coupon_type, frequency: coupon.frequency, expiration: "no_expiration" });
    }
    expect((await svc.lago.coupons.findCoupon("PRO_ONLY")).data.coupon).toMatchObject({ limited_plans: true, plan_codes: [`pro_${p}`], amount_cents: 1000, amount_currency: "CAD" });
  };

  it("takes 10 % off an Ontario invoice before HST, for two periods, and never twice on a re-run", async () => {
    await arrange("on-pct", "pro");
    const applied = (await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "on-pct", coupon_code: "TEN" } })).data.applied_coupon;
    expect(applied).toMatchObject({ coupon_code: "TEN", status: "active", percentage_rate: "10", frequency: "recurring", frequency_duration: 2, frequency_duration_remaining: 2, external_customer_id: "on-pct" });

    expect((await runBillingCycle(testDb(), CLOSE_NOV, { serviceId: svc.id })).failures).toEqual([]);
    const [october] = await invoicesOf("on-pct");
    // $100.00 − 10 % = $90.00; HST 13 % of $90.00 = $11.70; total $101.70.
    expect(october).toMatchObject({ status: "finalized", couponsCents: 1000n, subtotalCents: 9000n, taxesCents: 1170n, totalCents: 10170n });
    const api = (await svc.lago.invoices.findInvoice(october.id)).data.invoice;
    expect(api).toMatchObject({
      fees_amount_cents: 10000, coupons_amount_cents: 1000, sub_total_excluding_taxes_amount_cents: 9000, taxes_amount_cents: 1170,
      sub_total_including_taxes_amount_cents: 10170, total_amount_cents: 10170,
    });
    expect(api.credits).toEqual([expect.objectContaining({ amount_cents: 1000, before_taxes: true, item: expect.objectContaining({ type: "coupon", code: "TEN", name: "Ten percent" }) })]);
    expect(api.applied_taxes).toEqual([expect.objectContaining({ taxable_amount_cents: 9000, amount_cents: 1170 })]);

    // The same close again: nothing is billed, nothing is consumed.
    expect((await runBillingCycle(testDb(), CLOSE_NOV, { serviceId: svc.id })).invoicesCreated).toBe(0);
    expect((await appliedOf("on-pct"))[0]).toMatchObject({ frequency_duration_remaining: 1, status: "active", credits: [expect.objectContaining({ amount_cents: 1000 })] });

    await runBillingCycle(testDb(), CLOSE_DEC, { serviceId: svc.id });
    await runBillingCycle(testDb(), CLOSE_JAN, { serviceId: svc.id });
    const invoices = await invoicesOf("on-pct");
    expect(invoices.map((i) => [i.couponsCents, i.taxesCents, i.totalCents])).toEqual([[1000n, 1170n, 10170n], [1000n, 1170n, 10170n], [0n, 1300n, 11300n]]);
    expect((await appliedOf("on-pct"))[0]).toMatchObject({ frequency_duration_remaining: 0, status: "terminated" });
  });

  it("carries the $20 left of a $50 coupon on a $30 invoice to the next invoice; a plan-limited coupon skips other plans", async () => {
    await arrange("on-fixed", "lite");
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "on-fixed", coupon_code: "FIFTY" } });
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "on-fixed", coupon_code: "PRO_ONLY" } });
    await runBillingCycle(testDb(), CLOSE_NOV, { serviceId: svc.id });
    const [october] = await invoicesOf("on-fixed");
    // $30.00 − $30.00 coupon: nothing to tax, nothing to pay.
    expect(october).toMatchObject({ couponsCents: 3000n, subtotalCents: 0n, taxesCents: 0n, totalCents: 0n, status: "paid" });
    const fifty = (await appliedOf("on-fixed")).find((a: { coupon_code: string }) => a.coupon_code === "FIFTY");
    expect(fifty).toMatchObject({ amount_cents: 5000, amount_cents_remaining: 2000, status: "active" });
    const proOnly = (await appliedOf("on-fixed")).find((a: { coupon_code: string }) => a.coupon_code === "PRO_ONLY");
    expect(proOnly).toMatchObject({ status: "active", credits: [] });

    await runBillingCycle(testDb(), CLOSE_DEC, { serviceId: svc.id });
    const [, november] = await invoicesOf("on-fixed");
    // $30.00 − the $20.00 left = $10.00; HST $1.30; total $11.30.
    expect(november).toMatchObject({ couponsCents: 2000n, subtotalCents: 1000n, taxesCents: 130n, totalCents: 1130n, status: "finalized" });
    expect((await appliedOf("on-fixed")).find((a: { coupon_code: string }) => a.coupon_code === "FIFTY")).toMatchObject({ amount_cents_remaining: 0, status: "terminated" });
  });

  it("voiding an invoice gives its coupon back, but never revives the application of a coupon deleted since", async () => {
    await arrange("on-void", "pro");
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "on-void", coupon_code: "FIFTY" } });
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "on-void", coupon_code: "TEN" } });
    await runBillingCycle(testDb(), CLOSE_NOV, { serviceId: svc.id });
    const [october] = await invoicesOf("on-void");
    // $100.00 − $50.00 (FIFTY, used up) − 10 % of $50.00 = $45.00; HST $5.85.
    expect(october).toMatchObject({ couponsCents: 5500n, subtotalCents: 4500n, totalCents: 5085n });
    const statusOf = async (code: string) => (await appliedOf("on-void")).find((a: { coupon_code: string }) => a.coupon_code === code);
    expect(await statusOf("FIFTY")).toMatchObject({ status: "terminated", amount_cents_remaining: 0 });

    await svc.lago.coupons.destroyCoupon("FIFTY");
    await svc.lago.invoices.voidInvoice(october.id);
    // TEN's period comes back (still applied); FIFTY's $50.00 is given back to an application that stays over.
    expect(await statusOf("TEN")).toMatchObject({ status: "active", frequency_duration_remaining: 2 });
    expect(await statusOf("FIFTY")).toMatchObject({ status: "terminated" });
    await runBillingCycle(testDb(), CLOSE_DEC, { serviceId: svc.id });
    const [, november] = await invoicesOf("on-void");
    // November: only TEN: $100.00 − $10.00 = $90.00; HST $11.70.
    expect(november).toMatchObject({ couponsCents: 1000n, subtotalCents: 9000n, totalCents: 10170n });
  });

  it("a draft's refresh gives back what it took and takes it again from the new amounts (no double use)", async () => {
    await arrange("on-draft", "lite");
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "on-draft", coupon_code: "FIFTY" } });
    await runBillingCycle(testDb(), CLOSE_NOV, { serviceId: svc.id });
    const [october] = await invoicesOf("on-draft");
    expect(october).toMatchObject({ couponsCents: 3000n, totalCents: 0n });
    // Stands for an invoice still in its grace period (a company setting shared by every test file): back to draft. It
    // keeps its number: taking it away would leave a gap in the INV series that other files check is gap-free.
    await testDb().invoice.update({ where: { id: october.id }, data: { status: "draft", finalizedAt: null, paidAt: null } });
    // Without the usage window the close stores for a draft (not for an invoice it issued), a refresh is refused rather
    // than dropping the usage lines; then the window is stored, from the invoice's sources.
    await expect(refreshDraftInvoice(testDb(), october.id)).rejects.toMatchObject({ code: "usage_window_missing" });
    const stored = await testDb().invoice.findUniqueOrThrow({ where: { id: october.id } });
    const [source] = stored.sources as { subscriptionId: string; usageWindow: { start: string; end: string } }[];
    await testDb().invoiceUsageWindow.create({ data: { invoiceId: october.id, subscriptionId: source.subscriptionId, start: new Date(source.usageWindow.start), end: new Date(source.usageWindow.end), periodStart: stored.periodStart, periodEnd: stored.periodEnd } });
    // 25 late calls in October: $30.00 + $25.00 = $55.00; the whole $50.00 coupon now applies.
    const ts = Math.floor(new Date("2026-10-20T15:00:00Z").getTime() / 1000);
    await svc.lago.events.createBatchEvents({ events: Array.from({ length: 25 }, (_, i) => ({ transaction_id: `late-${i}`, external_subscription_id: "sub-on-draft", code: `calls_${p}`, timestamp: ts + i })) });
    for (let round = 0; round < 2; round++) {
      const refreshed = await refreshDraftInvoice(testDb(), october.id);
      expect(refreshed).toMatchObject({ couponsCents: 5000n, subtotalCents: 500n, taxesCents: 65n, totalCents: 565n });
      expect(await testDb().invoiceCoupon.count({ where: { invoiceId: october.id } })).toBe(1);
      expect((await appliedOf("on-draft"))[0]).toMatchObject({ amount_cents_remaining: 0, status: "terminated" });
    }
  });
});

describe("coupons: refusals in Lago's error shape", () => {
  let svc: TestService;
  let other: TestService;

  beforeAll(async () => {
    await ensureCompanyProfile();
    svc = await createTestService("live");
    other = await createTestService("live");
    await svc.lago.customers.createCustomer({ customer: { external_id: "cust", legal_name: "Cust Inc.", state: "ON", country: "CA", currency: "CAD" } });
    await other.lago.customers.createCustomer({ customer: { external_id: "theirs", legal_name: "Theirs Inc.", state: "ON", country: "CA", currency: "CAD" } });
    await svc.lago.coupons.createCoupon({ coupon: { code: "ONCE", name: "Once", coupon_type: "percentage", percentage_rate: "5", frequency: "once", reusable: false, expiration: "no_expiration" } });
  });

  it("refuses bad coupons with 422 and field codes", async () => {
    const missing = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "X", name: "X", coupon_type: "fixed_amount", frequency: "once", expiration: "no_expiration" } }));
    expect(missing).toMatchObject({ status: 422, body: { code: "validation_errors", error_details: { amount_cents: ["value_is_mandatory"], amount_currency: ["value_is_mandatory"] } } });
    const recurring = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "R", name: "R", coupon_type: "percentage", percentage_rate: "5", frequency: "recurring", expiration: "no_expiration" } }));
    expect(recurring.body).toMatchObject({ code: "validation_errors", error_details: { frequency_duration: ["value_is_mandatory"] } });
    const rate = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "P", name: "P", coupon_type: "percentage", percentage_rate: "150", frequency: "once", expiration: "no_expiration" } }));
    expect(rate.body).toMatchObject({ error_details: { percentage_rate: ["value_is_out_of_range"] } });
    const past = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "OLD", name: "Old", coupon_type: "percentage", percentage_rate: "5", frequency: "once", expiration: "time_limit", expiration_at: "2020-01-01T00:00:00Z" } }));
    expect(past).toMatchObject({ status: 422, body: { error_details: { expiration_at: ["invalid_date"] } } });
    const duplicate = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "ONCE", name: "Again", coupon_type: "percentage", percentage_rate: "5", frequency: "once", expiration: "no_expiration" } }));
    expect(duplicate.body).toMatchObject({ error_details: { code: ["value_already_exist"] } });
    const metrics = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "M", name: "M", coupon_type: "percentage", percentage_rate: "5", frequency: "once", expiration: "no_expiration", applies_to: { billable_metric_codes: ["calls"] } } }));
    expect(metrics.body).toMatchObject({ error_details: { "applies_to.billable_metric_codes": ["not_supported"] } });
    const plan = await lagoFailure(svc.lago.coupons.createCoupon({ coupon: { code: "NP", name: "NP", coupon_type: "percentage", percentage_rate: "5", frequency: "once", expiration: "no_expiration", applies_to: { plan_codes: ["no_such_plan"] } } }));
    expect(plan).toMatchObject({ status: 404, body: { code: "plan_not_found" } });
  });

  it("refuses to apply a coupon that is unknown, not reusable, terminated or expired", async () => {
    expect(await lagoFailure(svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "cust", coupon_code: "NOPE" } }))).toMatchObject({ status: 404, body: { code: "coupon_not_found" } });
    expect(await lagoFailure(svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "nobody", coupon_code: "ONCE" } }))).toMatchObject({ status: 404, body: { code: "customer_not_found" } });
    const first = (await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "cust", coupon_code: "ONCE" } })).data.applied_coupon;
    expect(await lagoFailure(svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "cust", coupon_code: "ONCE" } }))).toMatchObject({ status: 422, body: { error_details: { coupon_code: ["coupon_is_not_reusable"] } } });

    // Removing it from the customer: it stops applying; a second removal is refused.
    const removed = (await svc.lago.customers.deleteAppliedCoupon("cust", first.lago_id)).data.applied_coupon;
    expect(removed).toMatchObject({ lago_id: first.lago_id, status: "terminated" });
    expect((await lagoFailure(svc.lago.customers.deleteAppliedCoupon("cust", first.lago_id))).status).toBe(405);

    await svc.lago.coupons.createCoupon({ coupon: { code: "ENDED", name: "Ended", coupon_type: "percentage", percentage_rate: "5", frequency: "forever", expiration: "no_expiration" } });
    await terminateCoupon(testDb(), svc.id, "ENDED");
    expect(await lagoFailure(svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "cust", coupon_code: "ENDED" } }))).toMatchObject({ status: 422, body: { error_details: { coupon_code: ["coupon_is_terminated"] } } });

    const soon = new Date(Date.now() + 3_600_000).toISOString();
    await svc.lago.coupons.createCoupon({ coupon: { code: "SOON", name: "Soon", coupon_type: "percentage", percentage_rate: "5", frequency: "forever", expiration: "time_limit", expiration_at: soon } });
    await testDb().coupon.updateMany({ where: { serviceId: svc.id, code: "SOON" }, data: { expirationAt: new Date(Date.now() - 1000) } });
    expect(await lagoFailure(svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "cust", coupon_code: "SOON" } }))).toMatchObject({ status: 422, body: { error_details: { coupon_code: ["coupon_is_expired"] } } });

    // Deleting a coupon terminates it: it can no longer be found or applied.
    const deleted = (await svc.lago.coupons.destroyCoupon("ENDED")).data.coupon;
    expect(deleted.terminated_at).not.toBeNull();
    expect((await lagoFailure(svc.lago.coupons.findCoupon("ENDED"))).body).toMatchObject({ code: "coupon_not_found" });
  });

  it("keeps each service's coupons, add-ons and customers to itself", async () => {
    expect((await lagoFailure(other.lago.coupons.findCoupon("ONCE"))).status).toBe(404);
    expect((await other.lago.coupons.findAllCoupons()).data.coupons).toEqual([]);
    // Their coupon on our customer, our coupon on their customer: neither exists for the caller.
    expect((await lagoFailure(other.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "theirs", coupon_code: "ONCE" } }))).body).toMatchObject({ code: "coupon_not_found" });
    expect((await lagoFailure(svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "theirs", coupon_code: "ONCE" } }))).body).toMatchObject({ code: "customer_not_found" });
    expect((await other.lago.appliedCoupons.findAllAppliedCoupons({})).data.applied_coupons).toEqual([]);
    const ours = (await svc.lago.appliedCoupons.findAllAppliedCoupons({ external_customer_id: "cust" })).data.applied_coupons;
    expect(ours.length).toBeGreaterThan(0);
    expect((await lagoFailure(other.lago.customers.deleteAppliedCoupon("theirs", ours[0].lago_id))).body).toMatchObject({ code: "applied_coupon_not_found" });

    await svc.lago.addOns.createAddOn({ add_on: { code: "setup", name: "Setup", amount_cents: 1000, amount_currency: "CAD" } });
    expect((await lagoFailure(other.lago.addOns.findAddOn("setup"))).body).toMatchObject({ code: "add_on_not_found" });
    expect((await lagoFailure(other.lago.invoices.createInvoice({ invoice: { external_customer_id: "theirs", fees: [{ add_on_code: "setup" }] } }))).body).toMatchObject({ code: "add_on_not_found" });
    expect((await lagoFailure(svc.lago.invoices.createInvoice({ invoice: { external_customer_id: "theirs", fees: [{ add_on_code: "setup" }] } }))).body).toMatchObject({ code: "customer_not_found" });
  });
});

describe("add-ons and one-off invoices", () => {
  let svc: TestService;

  beforeAll(async () => {
    await ensureCompanyProfile();
    svc = await createTestService("live");
    await svc.lago.customers.createCustomer({ customer: { external_id: "qc", legal_name: "Québec Conseil Inc.", state: "QC", country: "CA", currency: "CAD", timezone: "America/Toronto" } });
  });

  it("manages add-ons through the Lago client", async () => {
    const created = (await svc.lago.addOns.createAddOn({ add_on: { code: "hour", name: "Support hour", amount_cents: 2500, amount_currency: "CAD", description: "One hour of support", invoice_display_name: "Support (hour)" } })).data.add_on;
    expect(created).toMatchObject({ code: "hour", name: "Support hour", amount_cents: 2500, amount_currency: "CAD", invoice_display_name: "Support (hour)" });
    expect((await svc.lago.addOns.updateAddOn("hour", { add_on: { description: "An hour of support" } })).data.add_on).toMatchObject({ description: "An hour of support", amount_cents: 2500 });
    expect((await svc.lago.addOns.findAllAddOns()).data.add_ons.map((a: { code: string }) => a.code)).toEqual(["hour"]);
    expect((await lagoFailure(svc.lago.addOns.createAddOn({ add_on: { code: "hour", name: "Again", amount_cents: 1 } }))).body).toMatchObject({ error_details: { code: ["value_already_exist"] } });
    expect((await lagoFailure(svc.lago.addOns.createAddOn({ add_on: { code: "bad", name: "Bad", amount_cents: 1.5 } }))).body).toMatchObject({ error_details: { amount_cents: ["value_is_invalid"] } });
    await svc.lago.addOns.createAddOn({ add_on: { code: "gone", name: "Gone", amount_cents: 100 } });
    expect((await svc.lago.addOns.destroyAddOn("gone")).data.add_on.code).toBe("gone");
    expect((await lagoFailure(svc.lago.addOns.findAddOn("gone"))).status).toBe(404);
  });

  it("issues a one-off invoice of 3 × an add-on in Quebec with GST and QST, numbered and collectable", async () => {
    const invoice = (await svc.lago.invoices.createInvoice({
      invoice: { external_customer_id: "qc", currency: "CAD", fees: [{ add_on_code: "hour", units: 3 }, { add_on_code: "hour", unit_amount_cents: 1000, units: "0.5", description: "Half an hour at the partner rate" }] },
    })).data.invoice;
    // 3 × $25.00 + 0.5 × $10.00 = $80.00; GST 5 % = $4.00; QST 9.975 % = $7.98; total $91.98.
    expect(invoice).toMatchObject({
      invoice_type: "one_off", status: "finalized", payment_status: "pending", currency: "CAD",
      fees_amount_cents: 8000, coupons_amount_cents: 0, taxes_amount_cents: 1198, total_amount_cents: 9198, total_due_amount_cents: 9198,
    });
    expect(invoice.number).toMatch(/^INV-\d{4}-\d{6}$/);
    expect(invoice.fees.map((f: { item: { type: string; name: string }; units: string; amount_cents: number }) => [f.item.type, f.item.name, f.units, f.amount_cents])).toEqual([
      ["add_on", "Support (hour)", "3", 7500],
      ["add_on", "Support (hour)", "0.5", 500],
    ]);
    expect(invoice.applied_taxes.map((t: { tax_code: string; amount_cents: number }) => [t.tax_code, t.amount_cents]).sort()).toEqual([["GST", 400], ["QST", 798]]);
    const stored = await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.lago_id } });
    expect(stored).toMatchObject({ status: "finalized", invoiceType: "one_off", subtotalCents: 8000n, taxesCents: 1198n, totalCents: 9198n });
    expect(stored.paymentDueDate).not.toBeNull();
    // It is listed with the service's invoices like any other.
    expect((await svc.lago.invoices.findAllInvoices({ external_customer_id: "qc" })).data.invoices.map((i: { lago_id: string }) => i.lago_id)).toContain(invoice.lago_id);
  });

  it("refuses bad one-off invoices with Lago's error shape", async () => {
    expect((await lagoFailure(svc.lago.invoices.createInvoice({ invoice: { external_customer_id: "qc", fees: [{ add_on_code: "nope" }] } }))).body).toMatchObject({ code: "add_on_not_found" });
    expect((await lagoFailure(svc.lago.invoices.createInvoice({ invoice: { external_customer_id: "qc", fees: [] } }))).status).toBe(422);
    expect((await lagoFailure(svc.lago.invoices.createInvoice({ invoice: { external_customer_id: "qc", fees: [{ add_on_code: "hour", units: "0" }] } }))).body).toMatchObject({ error_details: { "fees.0.units": ["value_is_out_of_range"] } });
    expect((await lagoFailure(svc.lago.invoices.createInvoice({ invoice: { external_customer_id: "qc", currency: "USD", fees: [{ add_on_code: "hour" }] } }))).body).toMatchObject({ error_details: { currency: ["currencies_does_not_match"] } });
    expect((await lagoFailure(svc.lago.invoices.createInvoice({ invoice: { external_customer_id: "qc", fees: [{ add_on_code: "hour", tax_codes: ["X"] }] } }))).body).toMatchObject({ error_details: { "fees.0.tax_codes": ["not_supported"] } });
    expect((await svc.call("/invoices", { method: "POST", json: {} })).status).toBe(400);
  });
});

describe("applying a coupon: one audit entry, by whoever applied it", () => {
  it("the console's apply is audited once, to the staff member; the API's once, to the service", async () => {
    const svc = await createTestService("live");
    await svc.lago.coupons.createCoupon({ coupon: { code: "WELCOME", name: "Welcome", coupon_type: "percentage", percentage_rate: "5", frequency: "forever", reusable: true, expiration: "no_expiration" } });
    for (const id of ["by-staff", "by-api"]) {
      await svc.lago.customers.createCustomer({ customer: { external_id: id, legal_name: `${id} Inc.`, state: "ON", country: "CA", currency: "CAD" } });
    }
    const customerOf = async (externalId: string) => (await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId } } })).customerId;
    const coupon = await testDb().coupon.findFirstOrThrow({ where: { serviceId: svc.id, code: "WELCOME" } });
    /** Every audit entry about applying a coupon to this customer (on the applied coupon or on the customer). */
    const appliedAudit = async (customerId: string) => {
      const applied = await testDb().appliedCoupon.findMany({ where: { customerId }, select: { id: true } });
      return testDb().auditLog.findMany({
        where: { action: { startsWith: "coupon.applied" }, entityId: { in: [customerId, ...applied.map((a) => a.id)] } },
        select: { actorType: true, actorId: true, action: true, entityType: true, entityId: true },
      });
    };

    const staff = await staffSession("finance");
    const staffCustomer = await customerOf("by-staff");
    const applied = await callFormAction(builtAction("applyCouponToCustomerAction", staffCustomer), staff.cookies, { bound: [staffCustomer], fields: { coupon_id: coupon.id } });
    expect(applied.status).toBe(200);
    expect(applied.text).toContain("Coupon WELCOME applied");
    const [byStaff] = (await svc.lago.appliedCoupons.findAllAppliedCoupons({ external_customer_id: "by-staff" })).data.applied_coupons;
    expect(byStaff).toMatchObject({ coupon_code: "WELCOME", status: "active" });
    expect(await appliedAudit(staffCustomer)).toEqual([{ actorType: "staff", actorId: staff.id, action: "coupon.applied", entityType: "AppliedCoupon", entityId: byStaff.lago_id }]);

    const byApi = (await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "by-api", coupon_code: "WELCOME" } })).data.applied_coupon;
    expect(await appliedAudit(await customerOf("by-api"))).toEqual([{ actorType: "service", actorId: svc.id, action: "coupon.applied", entityType: "AppliedCoupon", entityId: byApi.lago_id }]);
  });
});
