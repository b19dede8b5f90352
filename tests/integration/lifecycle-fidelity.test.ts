import { describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { closeSubscriptionNow } from "@/lib/invoicing/close-subscription";
import { previewInvoice } from "@/lib/invoicing/invoice-preview";
import { issueCreditNote } from "@/lib/invoicing/credit-notes";
import { refundCreditNoteToCard, sweepUnsentCardRefunds, unsentCardRefunds } from "@/lib/payments/credit-note-refunds";
import { runCollections } from "@/lib/payments/collections";
import { requireStripe } from "@/lib/payments/stripe-client";
import { createOrChangeSubscription } from "@/lib/subscriptions/subscriptions";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";
import { saveCardThroughCheckout, serviceWithReceiver, TEST_CARDS } from "../support/payment-fixture";
import { waitFor } from "../support/webhook-receiver";

// Lago fidelity of the subscription lifecycle: termination and upgrade billed at once through the job queue, the
// termination refund paid to the card, start-day usage, and the invoice preview. Customers bill in UTC here so the
// wall-clock flows (the server's job bills "now") can state their figures from today's date.

const HST = (cents: number) => Math.round(cents * 0.13);
const now = new Date();
const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
const today = now.getUTCDate();

async function customerId(svc: TestService, externalId: string) {
  return (await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId } } })).customerId;
}

async function arrearsPlans(svc: TestService) {
  for (const [code, cents] of [["basic", 10000], ["pro", 20000], ["mini", 5000]] as const) {
    await svc.lago.plans.createPlan({ plan: { name: code, code: `${code}_${svc.code}`, interval: "monthly", amount_cents: cents, amount_currency: "CAD", pay_in_advance: false } });
  }
}

describe("termination and upgrade are billed at once through the job queue", () => {
  it("terminating through the client produces the subscription_terminating invoice and its webhook within seconds, once", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    await arrearsPlans(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "term-1", legal_name: "Ottawa Term Inc.", state: "ON", country: "CA", timezone: "UTC" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "term-1", plan_code: `basic_${svc.code}`, external_id: "term-sub", subscription_at: monthStart.toISOString() } });

    // What terminating now would invoice, asked first: the used days of the month (today included) + 13 % HST.
    const fee = Math.round((10000 * today) / daysInMonth);
    const preview = (await svc.lago.invoices.invoicePreview({ customer: { external_id: "term-1" }, subscriptions: { external_ids: ["term-sub"] } })).data.invoice;
    expect(preview).toMatchObject({ lago_id: null, number: null, status: "draft", currency: "CAD", fees_amount_cents: fee, taxes_amount_cents: HST(fee), total_amount_cents: fee + HST(fee) });
    expect(preview.fees).toHaveLength(1);
    expect(preview.fees[0]).toMatchObject({ lago_id: null, item: { type: "subscription" }, amount_cents: fee, external_subscription_id: "term-sub" });
    expect(preview.applied_taxes.map((t: { tax_code: string; amount_cents: number }) => [t.tax_code, t.amount_cents])).toEqual([["HST", HST(fee)]]);
    // Nothing was written.
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(0);

    const started = Date.now();
    const ended = await svc.lago.subscriptions.destroySubscription("term-sub", {});
    expect(ended.data.subscription.status).toBe("terminated");
    const invoice = await waitFor(() => testDb().invoice.findFirst({ where: { serviceId: svc.id }, include: { lines: true } }), { timeoutMs: 15_000 });
    const created = await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.created"), { timeoutMs: 15_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`termination → invoice and invoice.created webhook received: ${seconds.toFixed(1)} s`);
    expect(seconds).toBeLessThan(15);
    expect(invoice!).toMatchObject({ status: "finalized", subtotalCents: BigInt(fee), taxesCents: BigInt(HST(fee)), totalCents: BigInt(fee + HST(fee)) });
    expect(invoice!.lines.map((l) => l.kind)).toEqual(["subscription_fee"]);
    expect(created!.body).toMatchObject({ invoice: { lago_id: invoice!.id, total_amount_cents: fee + HST(fee) } });
    // The client reads the same invoice as the preview announced.
    const listed = (await svc.lago.invoices.findAllInvoices({ external_customer_id: "term-1" })).data.invoices;
    expect(listed.map((i: { total_amount_cents: number }) => i.total_amount_cents)).toEqual([preview.total_amount_cents]);

    // The job again, and the scheduled close: nothing more is billed or announced.
    const sub = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "term-sub" } });
    expect((await closeSubscriptionNow(testDb(), sub.id)).invoicesCreated).toBe(0);
    expect((await runBillingCycle(testDb(), new Date(), { serviceId: svc.id })).invoicesCreated).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(1);
    expect(receiver.accepted().filter((r) => r.type === "invoice.created")).toHaveLength(1);
    expect(await testDb().webhookEvent.count({ where: { serviceId: svc.id, eventType: "invoice.created" } })).toBe(1);
  });

  it("an upgrade through the client bills the old plan's used days at once; the preview of it said the same", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    await arrearsPlans(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "up-1", legal_name: "Guelph Upgrade Inc.", state: "ON", country: "CA", timezone: "UTC" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "up-1", plan_code: `basic_${svc.code}`, external_id: "up-sub", subscription_at: monthStart.toISOString() } });

    // The upgrade day is the new plan's: the old one bills the days before it.
    const fee = Math.round((10000 * (today - 1)) / daysInMonth);
    const preview = (await svc.lago.invoices.invoicePreview({ customer: { external_id: "up-1" }, subscriptions: { external_ids: ["up-sub"], plan_code: `pro_${svc.code}` } })).data.invoice;
    expect(preview).toMatchObject({ fees_amount_cents: fee, taxes_amount_cents: HST(fee), total_amount_cents: fee + HST(fee) });

    const upgraded = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "up-1", plan_code: `pro_${svc.code}`, external_id: "up-sub" } });
    expect(upgraded.data.subscription).toMatchObject({ plan_code: `pro_${svc.code}`, previous_plan_code: `basic_${svc.code}` });
    const invoice = await waitFor(() => testDb().invoice.findFirst({ where: { serviceId: svc.id }, include: { lines: true } }), { timeoutMs: 15_000 });
    expect(invoice!).toMatchObject({ subtotalCents: BigInt(fee), taxesCents: BigInt(HST(fee)), totalCents: BigInt(preview.total_amount_cents) });
    await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.created"), { timeoutMs: 15_000 });
    // Only the old subscription was due: the new one bills at the period end.
    const subs = await testDb().subscription.findMany({ where: { serviceId: svc.id }, orderBy: { createdAt: "asc" } });
    expect(subs.map((s) => s.status)).toEqual(["terminated", "active"]);
    expect(subs[0].nextBillingAt).toBeNull();
    expect(subs[1].nextBillingAt!.getTime()).toBe(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    expect((await closeSubscriptionNow(testDb(), subs[0].id)).invoicesCreated).toBe(0);
    expect(receiver.accepted().filter((r) => r.type === "invoice.created")).toHaveLength(1);
  });

  it("on_termination_invoice=skip: the termination bills nothing (the job closes the subscription without an invoice)", async () => {
    const svc = await createTestService();
    await arrearsPlans(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "skip-1", legal_name: "Skip Inc.", state: "ON", country: "CA", timezone: "UTC" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "skip-1", plan_code: `basic_${svc.code}`, external_id: "skip-sub", subscription_at: monthStart.toISOString() } });
    const ended = await svc.lago.subscriptions.destroySubscription("skip-sub", { on_termination_invoice: "skip" });
    expect(ended.data.subscription).toMatchObject({ status: "terminated", on_termination_invoice: "skip" });
    await waitFor(async () => (await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "skip-sub" } })).nextBillingAt === null, { timeoutMs: 15_000 });
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(0);
  });

  it("Lago's example to the cent: $100/month upgraded to $200 on January 15 (31 days) → 14/31 × $100 = $45.16 + Quebec tax, previewed alike", async () => {
    const svc = await createTestService();
    await arrearsPlans(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "qc-up", legal_name: "Québec Upgrade Inc.", state: "QC", country: "CA", timezone: "America/Toronto" } });
    const service = { id: svc.id, mode: "live" as const };
    const JAN_1 = new Date("2027-01-01T05:00:00Z");
    const JAN_15 = new Date("2027-01-15T17:00:00Z");
    await createOrChangeSubscription(testDb(), service, { externalCustomerId: "qc-up", externalId: "qc-sub", planCode: `basic_${svc.code}`, subscriptionAt: JAN_1 }, JAN_1);

    const preview = await previewInvoice(testDb(), service, { customer: { externalId: "qc-up" }, subscriptions: { externalIds: ["qc-sub"], planCode: `pro_${svc.code}` } }, JAN_15);
    // GST 5 % of $45.16 = $2.258 → $2.26; QST 9.975 % = $4.5047 → $4.50; total $51.92.
    expect({ fees: preview.composition.subtotalCents, taxes: preview.composition.taxes.map((t) => [t.code, t.amountCents]), total: preview.composition.totalCents })
      .toEqual({ fees: 4516n, taxes: [["GST", 226n], ["QST", 450n]], total: 5192n });

    const { subscription } = await createOrChangeSubscription(testDb(), service, { externalCustomerId: "qc-up", externalId: "qc-sub", planCode: `pro_${svc.code}` }, JAN_15);
    const closed = await closeSubscriptionNow(testDb(), subscription.previousSubscriptionId!, new Date(JAN_15.getTime() + 60_000));
    expect(closed.invoicesCreated).toBe(1);
    const [invoice] = await testDb().invoice.findMany({ where: { serviceId: svc.id }, include: { lines: true, taxes: true } });
    expect(invoice.lines.map((l) => [l.description, l.amountCents])).toEqual([[`basic — 2027-01-01 to 2027-01-14 (14 of 31 days)`, 4516n]]);
    expect({ total: invoice.totalCents, taxes: invoice.taxes.map((t) => [t.code, t.amountCents]) }).toEqual({ total: 5192n, taxes: [["GST", 226n], ["QST", 450n]] });
    // The new plan's 17/31 × $200 = $109.68 comes at the month's end.
    await runBillingCycle(testDb(), new Date("2027-02-01T06:00:00Z"), { serviceId: svc.id });
    const last = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, id: { not: invoice.id } }, include: { lines: true } });
    expect(last.lines.map((l) => l.amountCents)).toEqual([10968n]);
  });
});

describe("termination refund paid back to the card", () => {
  it("refunds the paid, unused days of an in-advance plan to the card once, through the refund job; the credit note shows refunded", async () => {
    const { svc } = await serviceWithReceiver();
    const year = now.getUTCFullYear();
    const yearStart = new Date(Date.UTC(year, 0, 1));
    const daysInYear = (Date.UTC(year + 1, 0, 1) - yearStart.getTime()) / 86_400_000;
    const dayOfYear = Math.floor((Date.UTC(year, now.getUTCMonth(), today) - yearStart.getTime()) / 86_400_000) + 1;
    await svc.lago.plans.createPlan({ plan: { name: "Yearly", code: `year_${svc.code}`, interval: "yearly", amount_cents: 36500, amount_currency: "CAD", pay_in_advance: true } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "ref-1", legal_name: "Sudbury Refund Inc.", email: `ref.${svc.code}@customer.example`, state: "ON", country: "CA", timezone: "UTC" } });
    const cid = await customerId(svc, "ref-1");
    await saveCardThroughCheckout(cid, TEST_CARDS.visa);
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "ref-1", plan_code: `year_${svc.code}`, external_id: "ref-sub", subscription_at: yearStart.toISOString() } });
    // The year's fee in advance, paid by card: $365.00 + HST $47.45.
    await runBillingCycle(testDb(), new Date(), { serviceId: svc.id });
    await runCollections(testDb(), new Date(), { serviceId: svc.id });
    const paid = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id }, include: { payments: true } });
    expect(paid).toMatchObject({ status: "paid", totalCents: 41245n, amountPaidCents: 41245n });
    const payment = paid.payments[0];

    const ended = await svc.lago.subscriptions.destroySubscription("ref-sub", { on_termination_credit_note: "refund" });
    expect(ended.data.subscription).toMatchObject({ status: "terminated", on_termination_credit_note: "refund" });
    // The days after today are unused: (daysInYear − dayOfYear) × $365.00 / daysInYear, + HST, back to the card.
    const unused = Math.round((36500 * (daysInYear - dayOfYear)) / daysInYear);
    const note = await waitFor(() => testDb().creditNote.findFirst({ where: { invoiceId: paid.id } }), { timeoutMs: 15_000 });
    expect(note!).toMatchObject({ kind: "refund", reason: "order_cancellation", subtotalCents: BigInt(unused), totalCents: BigInt(unused + HST(unused)) });
    const refund = await waitFor(() => testDb().refund.findFirst({ where: { creditNoteId: note!.id } }), { timeoutMs: 15_000 });
    expect(refund!).toMatchObject({ amountCents: BigInt(unused + HST(unused)), paymentId: payment.id, status: "succeeded" });
    // At Stripe: one refund of that amount on the payment.
    const atStripe = (await requireStripe().refunds.list({ payment_intent: payment.providerPaymentId!, limit: 100 })).data;
    expect(atStripe.map((r) => r.amount)).toEqual([unused + HST(unused)]);
    const shown = (await svc.lago.creditNotes.findCreditNote(note!.id)).data.credit_note;
    expect(shown).toMatchObject({ refund_status: "succeeded", refund_amount_cents: unused + HST(unused), credit_amount_cents: 0 });

    // The refund job running again (a retry) refunds nothing twice; the close bills nothing more.
    await refundCreditNoteToCard(testDb(), note!.id);
    await closeSubscriptionNow(testDb(), ended.data.subscription.lago_id);
    expect((await requireStripe().refunds.list({ payment_intent: payment.providerPaymentId!, limit: 100 })).data).toHaveLength(1);
    expect(await testDb().refund.count({ where: { creditNoteId: note!.id } })).toBe(1);
    expect(await testDb().creditNote.count({ where: { invoiceId: paid.id } })).toBe(1);
    expect((await testDb().payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedCents).toBe(BigInt(unused + HST(unused)));
  });
});

describe("a refund credit note whose refund was never sent (the process died before queueing it)", () => {
  it("is paid back to the card by the refund sweep once it is past its grace period, once", async () => {
    const { svc } = await serviceWithReceiver();
    await svc.lago.plans.createPlan({ plan: { name: "Monthly", code: `mon_${svc.code}`, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: true } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "lost-1", legal_name: "Kingston Lost Refund Inc.", email: `lost.${svc.code}@customer.example`, state: "ON", country: "CA", timezone: "UTC" } });
    await saveCardThroughCheckout(await customerId(svc, "lost-1"), TEST_CARDS.visa);
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "lost-1", plan_code: `mon_${svc.code}`, external_id: "lost-sub", subscription_at: monthStart.toISOString() } });
    await runBillingCycle(testDb(), new Date(), { serviceId: svc.id });
    await runCollections(testDb(), new Date(), { serviceId: svc.id });
    const paid = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id }, include: { payments: true, lines: true } });
    expect(paid).toMatchObject({ status: "paid", totalCents: 5650n });
    // Issued in its own transaction and committed; nothing queued its refund (as after a crash right after the commit).
    const note = await testDb().$transaction((tx) =>
      issueCreditNote(tx, { invoiceId: paid.id, reason: "order_cancellation", description: "Unused days", kind: "refund", items: [{ invoiceLineId: paid.lines[0].id, amountCents: 2000n }] }));
    expect(note).toMatchObject({ kind: "refund", totalCents: 2260n });

    // Within the grace period the note is left to the refund job queued for it.
    expect(await unsentCardRefunds(testDb(), new Date(Date.now() - 5 * 60_000), { serviceId: svc.id })).toEqual([]);
    const later = new Date(Date.now() + 6 * 60_000);
    expect(await unsentCardRefunds(testDb(), new Date(later.getTime() - 5 * 60_000), { serviceId: svc.id })).toEqual([note.id]);
    expect(await sweepUnsentCardRefunds(testDb(), later, { serviceId: svc.id })).toEqual({ refunded: [note.id], failed: [] });
    const payment = paid.payments[0];
    expect((await requireStripe().refunds.list({ payment_intent: payment.providerPaymentId!, limit: 100 })).data.map((r) => r.amount)).toEqual([2260]);
    expect(await testDb().refund.findFirst({ where: { creditNoteId: note.id } })).toMatchObject({ amountCents: 2260n, status: "succeeded", paymentId: payment.id });

    // The next sweep finds nothing left to send.
    expect(await sweepUnsentCardRefunds(testDb(), later, { serviceId: svc.id })).toEqual({ refunded: [], failed: [] });
    expect((await requireStripe().refunds.list({ payment_intent: payment.providerPaymentId!, limit: 100 })).data).toHaveLength(1);
  });
});

describe("termination credit net of coupons", () => {
  it("a $340 coupon on a $365 yearly fee paid by card: the unused days are refunded on the $25 billed, and the close still bills", async () => {
    const { svc } = await serviceWithReceiver();
    const year = now.getUTCFullYear();
    const yearStart = new Date(Date.UTC(year, 0, 1));
    const daysInYear = (Date.UTC(year + 1, 0, 1) - yearStart.getTime()) / 86_400_000;
    const dayOfYear = Math.floor((Date.UTC(year, now.getUTCMonth(), today) - yearStart.getTime()) / 86_400_000) + 1;
    await svc.lago.plans.createPlan({ plan: { name: "Yearly", code: `year_${svc.code}`, interval: "yearly", amount_cents: 36500, amount_currency: "CAD", pay_in_advance: true } });
    await svc.lago.coupons.createCoupon({ coupon: { code: "BIG", name: "Big", coupon_type: "fixed_amount", amount_cents: 34000, amount_currency: "CAD", frequency: "once", expiration: "no_expiration" } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "cpn-1", legal_name: "Barrie Coupon Inc.", email: `cpn.${svc.code}@customer.example`, state: "ON", country: "CA", timezone: "UTC" } });
    const cid = await customerId(svc, "cpn-1");
    await saveCardThroughCheckout(cid, TEST_CARDS.visa);
    await svc.lago.appliedCoupons.applyCoupon({ applied_coupon: { external_customer_id: "cpn-1", coupon_code: "BIG" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cpn-1", plan_code: `year_${svc.code}`, external_id: "cpn-sub", subscription_at: yearStart.toISOString() } });
    // $365.00 − $340.00 = $25.00 + HST $3.25, paid by card.
    await runBillingCycle(testDb(), new Date(), { serviceId: svc.id });
    await runCollections(testDb(), new Date(), { serviceId: svc.id });
    const paid = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id } });
    expect(paid).toMatchObject({ status: "paid", subtotalCents: 2500n, couponsCents: 34000n, totalCents: 2825n, amountPaidCents: 2825n });

    const ended = await svc.lago.subscriptions.destroySubscription("cpn-sub", { on_termination_credit_note: "refund" });
    expect(ended.data.subscription).toMatchObject({ status: "terminated" });
    // The unused days' share of what was billed: gross unused × 2500 / 36500, rounded half up once (the gross unused
    // days alone exceeded the $25 billed and made the close throw).
    const grossUnused = Math.round((36500 * (daysInYear - dayOfYear)) / daysInYear);
    const unused = Math.round((grossUnused * 2500) / 36500);
    const note = await waitFor(() => testDb().creditNote.findFirst({ where: { invoiceId: paid.id } }), { timeoutMs: 15_000 });
    expect(note!).toMatchObject({ kind: "refund", subtotalCents: BigInt(unused), totalCents: BigInt(unused + HST(unused)) });
    const refund = await waitFor(() => testDb().refund.findFirst({ where: { creditNoteId: note!.id } }), { timeoutMs: 15_000 });
    expect(refund!).toMatchObject({ amountCents: BigInt(unused + HST(unused)), status: "succeeded" });
    // The group was billed, not quarantined: the subscription is closed and a re-run finds nothing to do.
    const rerun = await runBillingCycle(testDb(), new Date(), { serviceId: svc.id });
    expect(rerun.failures).toEqual([]);
    expect(await testDb().creditNote.count({ where: { invoiceId: paid.id } })).toBe(1);
  });
});

describe("start-day usage counts (Lago starts the first period at the start date)", () => {
  it("bills events sent in the same second as the create call, or earlier that day; not the day before", async () => {
    const svc = await createTestService();
    const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Calls", code: `calls_${svc.code}`, aggregation_type: "count_agg" } })).data.billable_metric;
    await svc.lago.plans.createPlan({
      plan: {
        name: "Usage", code: `usage_${svc.code}`, interval: "monthly", amount_cents: 0, amount_currency: "CAD", pay_in_advance: false,
        charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "1" } }],
      },
    });
    await svc.lago.customers.createCustomer({ customer: { external_id: "day-1", legal_name: "Barrie Day Inc.", state: "ON", country: "CA", timezone: "UTC" } });
    const created = await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "day-1", plan_code: `usage_${svc.code}`, external_id: "day-sub" } });
    const startedAt = new Date(created.data.subscription.started_at);
    const dayStart = Date.UTC(startedAt.getUTCFullYear(), startedAt.getUTCMonth(), startedAt.getUTCDate());
    const send = (id: string, ms: number) =>
      svc.lago.events.createEvent({ event: { transaction_id: id, external_subscription_id: "day-sub", code: `calls_${svc.code}`, timestamp: Math.floor(ms / 1000) } });
    await send("same-second", startedAt.getTime());
    await send("start-of-day", dayStart);
    await send("day-before", dayStart - 1000);

    const usage = (await svc.lago.customers.findCustomerCurrentUsage("day-1", { external_subscription_id: "day-sub" })).data.customer_usage;
    expect(usage.charges_usage.map((c: { units: string }) => Number(c.units))).toEqual([2]);

    await svc.lago.subscriptions.destroySubscription("day-sub", {});
    const invoice = await waitFor(() => testDb().invoice.findFirst({ where: { serviceId: svc.id }, include: { lines: true } }), { timeoutMs: 15_000 });
    expect(invoice!.lines.filter((l) => l.kind === "usage_charge").map((l) => [Number(l.quantity), l.amountCents])).toEqual([[2, 200n]]);
    expect(invoice!.totalCents).toBe(BigInt(200 + HST(200)));
  });
});

describe("invoice preview (POST /invoices/preview)", () => {
  it("prices a new subscription for a prospect with tax, and refuses what it does not implement with Lago's error shape", async () => {
    const svc = await createTestService();
    await arrearsPlans(svc);
    await svc.lago.plans.createPlan({ plan: { name: "adv", code: `adv_${svc.code}`, interval: "monthly", amount_cents: 3100, amount_currency: "CAD", pay_in_advance: true } });

    // Calendar, from January 15 2027: the first invoice (January 31) bills 17/31 × $100 = $54.84; Quebec GST $2.74, QST $5.47.
    const first = (await svc.lago.invoices.invoicePreview({
      customer: {
        name: "Prospect", country: "CA", state: "QC", timezone: "UTC", address_line1: "1 rue Saint-Jacques", address_line2: "Bureau 200", city: "Montréal",
        zipcode: "H2Y 1L6", tax_identification_number: "1234567890 TQ0001",
      },
      plan_code: `basic_${svc.code}`, subscription_at: "2027-01-15T12:00:00Z", billing_time: "calendar",
    })).data.invoice;
    expect(first).toMatchObject({
      lago_id: null, issuing_date: "2027-02-01", fees_amount_cents: 5484, taxes_amount_cents: 274 + 547, total_amount_cents: 5484 + 274 + 547,
      // The prospect's address as sent is the address the invoice would carry.
      customer: {
        lago_id: null, external_id: null, name: "Prospect", address_line1: "1 rue Saint-Jacques", address_line2: "Bureau 200", city: "Montréal", zipcode: "H2Y 1L6",
        state: "QC", country: "CA", tax_identification_number: "1234567890 TQ0001",
      },
    });
    expect(first.fees[0]).toMatchObject({ lago_subscription_id: null, external_subscription_id: null, amount_cents: 5484 });
    // In advance and anniversary: the full fee at the start, for an existing Ontario customer.
    await svc.lago.customers.createCustomer({ customer: { external_id: "pv-1", legal_name: "Preview Ltd.", state: "ON", country: "CA", timezone: "UTC" } });
    const advance = (await svc.lago.invoices.invoicePreview({ customer: { external_id: "pv-1" }, plan_code: `adv_${svc.code}`, subscription_at: "2027-01-15T12:00:00Z", billing_time: "anniversary" })).data.invoice;
    expect(advance).toMatchObject({ issuing_date: "2027-01-15", fees_amount_cents: 3100, taxes_amount_cents: 403, total_amount_cents: 3503 });
    expect(advance.customer).toMatchObject({ lago_id: await customerId(svc, "pv-1"), state: "ON", country: "CA", address_line1: null });
    expect(await testDb().subscription.count({ where: { serviceId: svc.id } })).toBe(0);
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(0);

    const refused = async (body: unknown) => (await lagoFailure(svc.lago.invoices.invoicePreview(body))).body;
    expect(await refused({ customer: { external_id: "pv-1" }, plan_code: `basic_${svc.code}`, coupons: [{ code: "promo" }] }))
      .toMatchObject({ status: 422, code: "validation_errors", error_details: { coupons: ["not_supported"] } });
    expect(await refused({ customer: { external_id: "pv-1" }, plan_code: `basic_${svc.code}`, billing_entity_code: "acme" }))
      .toMatchObject({ status: 422, error_details: { billing_entity_code: ["not_supported"] } });
    expect(await refused({ plan_code: `basic_${svc.code}` })).toMatchObject({ status: 422, error_details: { customer: ["value_is_mandatory"] } });
    expect(await refused({ customer: { external_id: "pv-1" } })).toMatchObject({ status: 422, error_details: { plan_code: ["value_is_mandatory"] } });
    expect(await refused({ customer: { external_id: "pv-1" }, plan_code: "no-such-plan" })).toMatchObject({ status: 404, code: "plan_not_found" });
    expect(await refused({ customer: { external_id: "nobody" }, subscriptions: { external_ids: ["x"] } })).toMatchObject({ status: 404, code: "customer_not_found" });
    expect(await refused({ customer: { external_id: "pv-1" }, subscriptions: { external_ids: ["x"] } })).toMatchObject({ status: 404, code: "subscription_not_found" });
    expect(await refused({ customer: { external_id: "pv-1" }, plan_code: `basic_${svc.code}`, subscription_at: "not a date" })).toMatchObject({ status: 422, error_details: { subscription_at: ["invalid_date"] } });
    expect(await refused({ customer: { state: "XX", country: "CA" }, plan_code: `basic_${svc.code}` })).toMatchObject({ status: 422, error_details: { "customer.state": ["value_is_invalid"] } });

    // A downgrade bills nothing now: refused, as is a termination outside the current period.
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "pv-1", plan_code: `basic_${svc.code}`, external_id: "pv-sub", subscription_at: monthStart.toISOString() } });
    expect(await refused({ customer: { external_id: "pv-1" }, subscriptions: { external_ids: ["pv-sub"], plan_code: `mini_${svc.code}` } }))
      .toMatchObject({ status: 422, error_details: { "subscriptions.plan_code": ["not_supported"] } });
    expect(await refused({ customer: { external_id: "pv-1" }, subscriptions: { external_ids: ["pv-sub"], terminated_at: "2099-01-01T00:00:00Z" } }))
      .toMatchObject({ status: 422, error_details: { "subscriptions.terminated_at": ["invalid_date"] } });
    expect(await testDb().invoice.count({ where: { serviceId: svc.id } })).toBe(0);
  });
});
