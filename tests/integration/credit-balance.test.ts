import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoiceDocument } from "@/lib/documents/ledger-documents";
import { renderBillingDocumentPdf } from "@/lib/documents/render-pdf";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { finalizeInvoice } from "@/lib/invoicing/finalize-invoice";
import { recordOfflinePayment, reverseOfflinePayment } from "@/lib/offline-payments/offline-payments";
import { amountDueCents } from "@/lib/payments/chargeability";
import { journal } from "@/lib/reports/journal";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { createTestService, lagoFailure, testDb, uniqueSuffix, type TestService } from "../support/api-fixture";
import { seededStaffId } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { portalCookies, staffCookies } from "../security/support";
import { WebhookReceiver, waitFor } from "../support/webhook-receiver";
import { inspectPdf } from "../unit/documents/pdf-inspect";

// Automatic application of a customer's credit balance (money received and not applied) to newly issued invoices
// (lib/collections/credit-balance.ts). Dates are in March 2021 so the journal of that month holds only this file's rows.
const c = (n: number) => BigInt(n);
const RECEIVED_AT = new Date("2021-03-05T15:00:00Z");
const ISSUED_AT = new Date("2021-03-15T12:00:00Z");
// The shared test machine can be slow: issuing gets the time the billing run gives it, not Prisma's default 5 s.
const TX = { timeout: 60_000, maxWait: 20_000 };

describe("credit balance applied to newly issued invoices", () => {
  let svc: TestService;
  let receiver: WebhookReceiver;
  let staffId: string;

  async function newCustomer(name: string) {
    const customer = await testDb().customer.create({ data: { legalName: name, email: `ap.${uniqueSuffix()}@credit.example`, province: "ON", country: "CA", netPaymentTermDays: 30 } });
    await testDb().accountLink.create({ data: { serviceId: svc.id, externalId: `credit-${uniqueSuffix()}`, customerId: customer.id } });
    return customer.id;
  }

  /** A draft of `subtotal` + 13 % HST (Ontario), issued March 15, 2021. */
  async function draft(customerId: string, subtotal: number) {
    const tax = Math.round(subtotal * 0.13);
    return testDb().invoice.create({
      data: {
        customerId, serviceId: svc.id, periodStart: new Date("2021-02-01T05:00:00Z"), periodEnd: new Date("2021-03-01T05:00:00Z"),
        issuingDate: new Date("2021-03-15T00:00:00Z"), subtotalCents: c(subtotal), taxesCents: c(tax), totalCents: c(subtotal + tax),
        lines: { create: [{ kind: "one_off", description: "Hosting", amountCents: c(subtotal) }] },
        taxes: { create: [{ code: "HST", name: "HST (ON)", rate: "13", taxableAmountCents: c(subtotal), amountCents: c(tax), registrationNumber: "123456789 RT0001" }] },
      },
    });
  }
  const issue = async (customerId: string, subtotal: number) => {
    const d = await draft(customerId, subtotal);
    return testDb().$transaction((tx) => finalizeInvoice(tx, d.id, ISSUED_AT), TX);
  };
  const receive = (customerId: string, reference: string, amount: number, receivedOn = "2021-03-05") =>
    recordOfflinePayment(testDb(), { customerId, method: "cheque", reference, amountCents: c(amount), receivedOn, allocations: [] }, { staffId }, RECEIVED_AT);
  const customer = (id: string) => testDb().customer.findUniqueOrThrow({ where: { id } });
  const unapplied = async (customerId: string) => (await testDb().paymentReceipt.findMany({ where: { customerId, reversedAt: null } })).reduce((s, r) => s + r.unappliedCents, c(0));
  const typesFor = (invoiceId: string) => receiver.accepted().filter((r) => JSON.stringify(r.body).includes(invoiceId)).map((r) => r.type);

  beforeAll(async () => {
    staffId = await seededStaffId();
    svc = await createTestService("live");
    const secret = generateWebhookSecret();
    await testDb().service.update({ where: { id: svc.id }, data: { webhookSigningSecret: secret } });
    receiver = new WebhookReceiver(secret);
    await testDb().webhookEndpoint.create({ data: { serviceId: svc.id, url: await receiver.start(), eventTypes: [] } });
  });
  afterAll(async () => receiver?.stop());

  it("more credit than the invoice: the invoice is paid at issue, the rest stays as credit", async () => {
    const customerId = await newCustomer("Overpayer Ltd.");
    await receive(customerId, "500", 10000); // $100.00 received, nothing applied
    expect((await customer(customerId)).creditBalanceCents).toBe(c(10000));

    const invoice = await issue(customerId, 5000); // $50.00 + $6.50 HST = $56.50
    expect(invoice).toMatchObject({ status: "paid", paymentStatus: "succeeded", totalCents: c(5650), amountPaidCents: c(5650), paidAt: ISSUED_AT });
    expect(amountDueCents(invoice)).toBe(c(0));
    expect((await customer(customerId)).creditBalanceCents).toBe(c(4350));
    expect(await unapplied(customerId)).toBe(c(4350));
    const payments = await testDb().payment.findMany({ where: { invoiceId: invoice.id } });
    expect(payments.map((p) => [p.amountCents, p.trigger, p.provider, p.status])).toEqual([[c(5650), "credit_balance", "cheque", "succeeded"]]);

    // The app hears it issued and paid, in that order, like any other payment: invoice.paid and payment_status_updated.
    await waitFor(() => typesFor(invoice.id).includes("invoice.payment_status_updated"));
    expect(typesFor(invoice.id)).toEqual(["invoice.created", "invoice.finalized", "invoice.paid", "invoice.payment_status_updated"]);
    const paid = receiver.accepted().find((r) => r.type === "invoice.paid" && JSON.stringify(r.body).includes(invoice.id))!;
    expect(paid.body).toMatchObject({ invoice: { payment_status: "succeeded", total_paid_amount_cents: 5650, total_due_amount_cents: 0 } });

    // The document reads "Credit applied", not a payment.
    const doc = await invoiceDocument(testDb(), invoice.id);
    expect(doc).toMatchObject({ creditBalanceAppliedCents: c(5650), amountPaidCents: c(0), amountDueCents: c(0) });
    const text = inspectPdf(await renderBillingDocumentPdf(doc, { compress: false })).text;
    expect(text).toContain("Credit applied");
    expect(text).toContain("-$56.50");
    // And so do the customer's portal and the console.
    const portal = await fetch(`${testEnv.baseUrl}/portal/invoices/${invoice.id}`, { headers: { Cookie: await portalCookies(customerId) } });
    expect(await portal.text()).toMatch(/Credit applied<\/td><td[^>]*data-testid="invoice-credit-applied"[^>]*>−(<!-- -->)?\$56\.50/);
    const staff = await fetch(`${testEnv.baseUrl}/console/invoices/${invoice.id}`, { headers: { Cookie: await staffCookies() } });
    expect(await staff.text()).toContain("credit applied");
  });

  it("less credit than the invoice: all of it is applied after tax, oldest payment first, and the rest is due", async () => {
    const customerId = await newCustomer("Partial Credit Inc.");
    await receive(customerId, "601", 2000, "2021-03-01");
    await receive(customerId, "602", 1234, "2021-03-03");
    const invoice = await issue(customerId, 10000); // $113.00
    expect(invoice).toMatchObject({ status: "finalized", paymentStatus: "pending", totalCents: c(11300), amountPaidCents: c(3234) });
    expect(amountDueCents(invoice)).toBe(c(8066)); // 113.00 − 20.00 − 12.34
    expect((await customer(customerId)).creditBalanceCents).toBe(c(0));
    expect(await unapplied(customerId)).toBe(c(0));
    const draws = await testDb().payment.findMany({ where: { invoiceId: invoice.id }, include: { receipt: true }, orderBy: { amountCents: "desc" } });
    expect(draws.map((p) => [p.receipt!.reference, p.amountCents])).toEqual([["601", c(2000)], ["602", c(1234)]]);
    const doc = await invoiceDocument(testDb(), invoice.id);
    expect(doc).toMatchObject({ creditBalanceAppliedCents: c(3234), amountPaidCents: c(0), amountDueCents: c(8066) });
    await waitFor(() => typesFor(invoice.id).includes("invoice.finalized"));
    expect(typesFor(invoice.id)).not.toContain("invoice.paid");
  });

  it("credit exactly equal to the invoice pays it to the cent and leaves nothing", async () => {
    const customerId = await newCustomer("Exact Payer Co.");
    await receive(customerId, "700", 5650);
    const invoice = await issue(customerId, 5000);
    expect(invoice).toMatchObject({ status: "paid", amountPaidCents: c(5650) });
    expect((await customer(customerId)).creditBalanceCents).toBe(c(0));
    expect(await unapplied(customerId)).toBe(c(0));
    // A later invoice finds no credit.
    const next = await issue(customerId, 1000);
    expect(next).toMatchObject({ status: "finalized", amountPaidCents: c(0) });
    expect(await testDb().payment.count({ where: { invoiceId: next.id } })).toBe(0);
  });

  it("two invoices issued at the same moment never spend the same credit", async () => {
    const customerId = await newCustomer("Race Condition Corp.");
    await receive(customerId, "800", 10000);
    const [a, b] = await Promise.all([draft(customerId, 5000), draft(customerId, 5000)]);
    const issued = await Promise.all([a, b].map((d) => testDb().$transaction((tx) => finalizeInvoice(tx, d.id, ISSUED_AT), TX)));
    const applied = issued.map((i) => i.amountPaidCents).sort((x, y) => Number(x - y));
    // $100.00 of credit over two $56.50 invoices: one paid in full, the other gets the $43.50 left.
    expect(applied).toEqual([c(4350), c(5650)]);
    expect(issued.filter((i) => i.status === "paid")).toHaveLength(1);
    expect((await customer(customerId)).creditBalanceCents).toBe(c(0));
    expect(await unapplied(customerId)).toBe(c(0));
    const drawn = await testDb().payment.aggregate({ where: { customerId, trigger: "credit_balance" }, _sum: { amountCents: true } });
    expect(drawn._sum.amountCents).toBe(c(10000));
  });

  it("the journal stays balanced: the receipt was booked in full, so applying it posts nothing more", async () => {
    const j = await journal(testDb(), "2021-03-01", "2021-03-31", "month");
    expect(j.entries.length).toBeGreaterThan(0);
    for (const entry of j.entries) {
      const debits = entry.lines.reduce((s, l) => s + l.debitCents, c(0));
      const credits = entry.lines.reduce((s, l) => s + l.creditCents, c(0));
      expect(debits, entry.memo).toBe(credits);
    }
    // Accounts receivable for the month = what is still due on the month's invoices − credit not yet applied.
    const ar = j.entries.flatMap((e) => e.lines).filter((l) => l.account === "1200 Accounts Receivable").reduce((s, l) => s + l.debitCents - l.creditCents, c(0));
    const invoices = await testDb().invoice.findMany({ where: { serviceId: svc.id, status: { in: ["finalized", "paid"] } } });
    const stillDue = invoices.reduce((s, i) => s + amountDueCents(i), c(0));
    const credit = (await testDb().paymentReceipt.findMany({ where: { customer: { accountLinks: { some: { serviceId: svc.id } } }, reversedAt: null } })).reduce((s, r) => s + r.unappliedCents, c(0));
    // Hand count: due 80.66 (partial) + 11.30 (after exact) + 13.00 (race) = 104.96; credit left 43.50 (overpayer).
    expect(stillDue).toBe(c(10496));
    expect(credit).toBe(c(4350));
    expect(ar).toBe(stillDue - credit);
  });

  it("reversing the cheque whose credit paid an invoice reopens that invoice", async () => {
    const customerId = await newCustomer("Bounced Credit Ltd.");
    const { receipt } = await receive(customerId, "900", 5650);
    const invoice = await issue(customerId, 5000);
    expect(invoice.status).toBe("paid");
    await reverseOfflinePayment(testDb(), receipt.id, "NSF", { staffId }, new Date("2021-03-20T15:00:00Z"));
    const reopened = await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } });
    expect(reopened).toMatchObject({ status: "finalized", amountPaidCents: c(0), paymentStatus: "failed" });
    expect(amountDueCents(reopened)).toBe(c(5650));
    expect((await customer(customerId)).creditBalanceCents).toBe(c(0));
  });

  it("the billing run applies it too, and queues the invoice e-mail", async () => {
    const code = uniqueSuffix();
    await svc.lago.plans.createPlan({ plan: { name: "Advance", code: `adv_${code}`, interval: "monthly", amount_cents: 2000, amount_currency: "CAD", pay_in_advance: true } });
    const created = (await svc.lago.customers.createCustomer({ customer: { external_id: `cus_${code}`, timezone: "America/Toronto", state: "ON", country: "CA", email: `${code}@credit.example` } })).data.customer;
    await receive(created.lago_id, "1000", 5000);
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: `cus_${code}`, plan_code: `adv_${code}`, external_id: `sub_${code}` } });
    await runBillingCycle(testDb(), new Date(), { serviceId: svc.id });
    const invoices = await testDb().invoice.findMany({ where: { customerId: created.lago_id }, include: { payments: true, notices: true } });
    expect(invoices).toHaveLength(1);
    const [invoice] = invoices;
    // The first period is prorated (calendar billing), so the amount depends on today; whatever it is, credit pays it all.
    expect(invoice.totalCents).toBeGreaterThan(c(0));
    expect(invoice.totalCents).toBeLessThanOrEqual(c(2260)); // $20.00 + 13 % HST at most
    expect(invoice).toMatchObject({ status: "paid", amountPaidCents: invoice.totalCents, paymentStatus: "succeeded" });
    expect(invoice.payments.map((p) => [p.trigger, p.amountCents])).toEqual([["credit_balance", invoice.totalCents]]);
    expect((await customer(created.lago_id)).creditBalanceCents).toBe(c(5000) - invoice.totalCents);
    expect(invoice.notices.map((n) => n.kind)).toEqual(["invoice_issued"]);
  });

  it("a credit note on one line is capped at that line's share net of coupons: $100 + $100 with a 50 % coupon credits at most $50 on each", async () => {
    const customerId = await newCustomer("Half Off Ltd.");
    const d = await testDb().invoice.create({
      data: {
        customerId, serviceId: svc.id, periodStart: new Date("2021-02-01T05:00:00Z"), periodEnd: new Date("2021-03-01T05:00:00Z"),
        issuingDate: new Date("2021-03-15T00:00:00Z"), subtotalCents: c(10000), couponsCents: c(10000), taxesCents: c(1300), totalCents: c(11300),
        lines: { create: [{ kind: "one_off", description: "Line A", amountCents: c(10000) }, { kind: "one_off", description: "Line B", amountCents: c(10000) }] },
        taxes: { create: [{ code: "HST", name: "HST (ON)", rate: "13", taxableAmountCents: c(10000), amountCents: c(1300), registrationNumber: "123456789 RT0001" }] },
      },
      include: { lines: { orderBy: { description: "asc" } } },
    });
    const invoice = await testDb().$transaction((tx) => finalizeInvoice(tx, d.id, ISSUED_AT), TX);
    const lineA = d.lines[0].id;
    const credit = (amount: number) => svc.lago.creditNotes.createCreditNote({ credit_note: { invoice_id: invoice.id, reason: "other", items: [{ fee_id: lineA, amount_cents: amount }] } });
    // Line A's gross $100 would credit $113 of the $113 paid for both lines.
    expect(await lagoFailure(credit(10000))).toMatchObject({ status: 422, body: { error_details: { "items.0.amount_cents": ["higher_than_remaining_fee_amount"] } } });
    expect((await credit(5000)).data.credit_note).toMatchObject({ sub_total_excluding_taxes_amount_cents: 5000, total_amount_cents: 5650 });
    expect(await lagoFailure(credit(1))).toMatchObject({ status: 422, body: { error_details: { "items.0.amount_cents": ["higher_than_remaining_fee_amount"] } } });
  });
});
