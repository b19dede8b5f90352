import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalizeInvoice } from "@/lib/invoicing/finalize-invoice";
import { applyCustomerCredit, recordOfflinePayment, reverseOfflinePayment } from "@/lib/offline-payments/offline-payments";
import { amountDueCents } from "@/lib/payments/chargeability";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { createTestService, testDb, uniqueSuffix, type TestService } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";
import { testEnv } from "../support/env";
import { waitForMail } from "../support/mail-catcher";
import { WebhookReceiver, waitFor } from "../support/webhook-receiver";

const cents = (n: number) => BigInt(n);
const NOW = new Date("2026-11-20T15:00:00Z");

describe("offline payments: cheques, EFTs, wires and cash", () => {
  let svc: TestService;
  let receiver: WebhookReceiver;
  let staffId: string;
  let customerId: string;
  let email: string;
  const invoices: Record<"a" | "b" | "c", string> = { a: "", b: "", c: "" };

  /** A finalized invoice of `subtotal` + 13 % HST (Ontario), issued November 1. */
  async function issuedInvoice(subtotal: number) {
    const tax = Math.round(subtotal * 0.13);
    const draft = await testDb().invoice.create({
      data: {
        customerId, serviceId: svc.id, periodStart: new Date("2026-10-01T04:00:00Z"), periodEnd: new Date("2026-11-01T04:00:00Z"),
        issuingDate: new Date("2026-11-01T00:00:00Z"), subtotalCents: cents(subtotal), taxesCents: cents(tax), totalCents: cents(subtotal + tax),
        lines: { create: [{ kind: "one_off", description: "Hosting", amountCents: cents(subtotal) }] },
        taxes: { create: [{ code: "hst_on", name: "HST (ON)", rate: "13", taxableAmountCents: cents(subtotal), amountCents: cents(tax), registrationNumber: "123456789 RT0001" }] },
      },
    });
    return (await testDb().$transaction((tx) => finalizeInvoice(tx, draft.id, new Date("2026-11-01T12:00:00Z")))).id;
  }
  const invoice = (id: string) => testDb().invoice.findUniqueOrThrow({ where: { id } });
  const customer = () => testDb().customer.findUniqueOrThrow({ where: { id: customerId } });
  const typesFor = (invoiceId: string) => receiver.accepted().filter((r) => JSON.stringify(r.body).includes(invoiceId)).map((r) => r.type);

  beforeAll(async () => {
    staffId = await seededStaffId();
    svc = await createTestService("live");
    const secret = generateWebhookSecret();
    await testDb().service.update({ where: { id: svc.id }, data: { webhookSigningSecret: secret } });
    receiver = new WebhookReceiver(secret);
    await testDb().webhookEndpoint.create({ data: { serviceId: svc.id, url: await receiver.start(), eventTypes: [] } });
    email = `ap.${uniqueSuffix()}@offline.example`;
    customerId = (await testDb().customer.create({ data: { legalName: "Cheque Payer Inc.", email, province: "ON", country: "CA", netPaymentTermDays: 30 } })).id;
    // A customer of a live service (customers known only to dual-run services are never e-mailed).
    await testDb().accountLink.create({ data: { serviceId: svc.id, externalId: "cheque-payer", customerId } });
    invoices.a = await issuedInvoice(10000); // $113.00
    invoices.b = await issuedInvoice(5000); //  $56.50
    invoices.c = await issuedInvoice(2000); //  $22.60
  });
  afterAll(async () => receiver?.stop());

  it("one cheque pays two invoices; the $30.50 left over is the customer's credit balance", async () => {
    const { receipt } = await recordOfflinePayment(testDb(), {
      customerId, method: "cheque", reference: "1042", amountCents: cents(20000), receivedOn: "2026-11-19",
      allocations: [{ invoiceId: invoices.a, amountCents: cents(11300) }, { invoiceId: invoices.b, amountCents: cents(5650) }],
    }, { staffId }, NOW);
    // 200.00 − 113.00 − 56.50 = 30.50
    expect(receipt.unappliedCents).toBe(cents(3050));
    expect(receipt.receivedOn.toISOString().slice(0, 10)).toBe("2026-11-19");
    for (const [id, total] of [[invoices.a, 11300], [invoices.b, 5650]] as const) {
      const paid = await invoice(id);
      expect(paid).toMatchObject({ status: "paid", paymentStatus: "succeeded", amountPaidCents: cents(total), paidAt: NOW });
      expect(amountDueCents(paid)).toBe(cents(0));
    }
    expect((await customer()).creditBalanceCents).toBe(cents(3050));
    const payments = await testDb().payment.findMany({ where: { receiptId: receipt.id }, orderBy: { amountCents: "desc" } });
    expect(payments.map((p) => [p.invoiceId, p.amountCents, p.provider, p.status])).toEqual([
      [invoices.a, cents(11300), "cheque", "succeeded"],
      [invoices.b, cents(5650), "cheque", "succeeded"],
    ]);
    // The app hears exactly what a card payment tells it, for each invoice, and the customer gets a receipt for each.
    for (const id of [invoices.a, invoices.b]) {
      await waitFor(() => ["invoice.paid", "invoice.payment_status_updated", "payment.succeeded"].every((t) => typesFor(id).includes(t)));
    }
    const statusUpdate = receiver.accepted().find((r) => r.type === "invoice.payment_status_updated" && JSON.stringify(r.body).includes(invoices.a))!;
    expect((statusUpdate.body.invoice as { payment_status: string }).payment_status).toBe("succeeded");
    expect(statusUpdate.lagoSignatureValid).toBe(true);
    const manual = receiver.accepted().find((r) => r.type === "payment.succeeded" && JSON.stringify(r.body).includes(invoices.b))!;
    expect(manual.body.payment).toMatchObject({ amount_cents: 5650, type: "manual", payment_status: "succeeded" });
    await waitForMail(testEnv.mailUrl, email, (m) => m.subject.startsWith("Receipt") && m.text.includes("$113.00"));
    await waitForMail(testEnv.mailUrl, email, (m) => m.subject.startsWith("Receipt") && m.text.includes("$56.50"));
    // Through the Lago-compatible API the invoice reads as paid, like one paid by card.
    const api = await (await svc.call(`/invoices/${invoices.a}`)).json();
    expect(api.invoice).toMatchObject({ status: "finalized", payment_status: "succeeded" });
  });

  it("refuses the same cheque twice, more applied than received, more than is due, and foreign or unpaid invoices", async () => {
    const dup = await domainRefusal(recordOfflinePayment(testDb(), { customerId, method: "cheque", reference: " 1042 ", amountCents: cents(100), receivedOn: "2026-11-19", allocations: [] }, { staffId }, NOW));
    expect(dup.code).toBe("duplicate_reference");
    const over = await domainRefusal(recordOfflinePayment(testDb(), { customerId, method: "eft", reference: "T-1", amountCents: cents(1000), receivedOn: "2026-11-19", allocations: [{ invoiceId: invoices.c, amountCents: cents(2000) }] }, { staffId }, NOW));
    expect(over.details).toEqual({ allocations: ["higher_than_amount_received"] });
    const tooMuch = await domainRefusal(recordOfflinePayment(testDb(), { customerId, method: "eft", reference: "T-1", amountCents: cents(5000), receivedOn: "2026-11-19", allocations: [{ invoiceId: invoices.c, amountCents: cents(2261) }] }, { staffId }, NOW));
    expect(tooMuch.details).toEqual({ "allocations.0.amount_cents": ["higher_than_amount_due"] });
    const paidAlready = await domainRefusal(recordOfflinePayment(testDb(), { customerId, method: "eft", reference: "T-1", amountCents: cents(100), receivedOn: "2026-11-19", allocations: [{ invoiceId: invoices.a, amountCents: cents(100) }] }, { staffId }, NOW));
    expect(paidAlready.code).toBe("invoice_not_payable");
    const other = (await testDb().customer.create({ data: { legalName: "Someone Else Ltd.", province: "ON" } })).id;
    const foreign = await domainRefusal(recordOfflinePayment(testDb(), { customerId: other, method: "wire", reference: "W-9", amountCents: cents(100), receivedOn: "2026-11-19", allocations: [{ invoiceId: invoices.c, amountCents: cents(100) }] }, { staffId }, NOW));
    expect(foreign.code).toBe("invoice_not_found");
    const future = await domainRefusal(recordOfflinePayment(testDb(), { customerId, method: "cash", reference: "R-1", amountCents: cents(100), receivedOn: "2026-11-25", allocations: [] }, { staffId }, NOW));
    expect(future.details).toEqual({ received_on: ["value_is_in_the_future"] });
    // Nothing of the refused attempts was written.
    expect(await testDb().paymentReceipt.count({ where: { customerId: { in: [customerId, other] } } })).toBe(1);
    expect((await invoice(invoices.c)).amountPaidCents).toBe(cents(0));
    expect((await customer()).creditBalanceCents).toBe(cents(3050));
  });

  it("a partial EFT leaves the rest due; the credit balance pays the rest", async () => {
    await recordOfflinePayment(testDb(), { customerId, method: "eft", reference: "TRACE-77", amountCents: cents(1000), receivedOn: "2026-11-20", allocations: [{ invoiceId: invoices.c, amountCents: cents(1000) }] }, { staffId }, NOW);
    let c = await invoice(invoices.c);
    expect(c).toMatchObject({ status: "finalized", amountPaidCents: cents(1000), paymentStatus: "pending" });
    expect(amountDueCents(c)).toBe(cents(1260)); // 22.60 − 10.00
    expect(typesFor(invoices.c)).not.toContain("invoice.paid");

    const refused = await domainRefusal(applyCustomerCredit(testDb(), customerId, [{ invoiceId: invoices.c, amountCents: cents(1261) }], { staffId }, NOW));
    expect(refused.details).toEqual({ "allocations.0.amount_cents": ["higher_than_amount_due"] });
    await applyCustomerCredit(testDb(), customerId, [{ invoiceId: invoices.c, amountCents: cents(1260) }], { staffId }, NOW);
    c = await invoice(invoices.c);
    expect(c).toMatchObject({ status: "paid", amountPaidCents: cents(2260), paymentStatus: "succeeded" });
    expect((await customer()).creditBalanceCents).toBe(cents(1790)); // 30.50 − 12.60
    const cheque = await testDb().paymentReceipt.findFirstOrThrow({ where: { customerId, reference: "1042" } });
    expect(cheque.unappliedCents).toBe(cents(1790));
    await waitFor(() => typesFor(invoices.c).includes("invoice.paid"));
  });

  it("reversing the cheque (NSF) reopens everything it paid, removes its credit and restarts dunning", async () => {
    const cheque = await testDb().paymentReceipt.findFirstOrThrow({ where: { customerId, reference: "1042" } });
    const blank = await domainRefusal(reverseOfflinePayment(testDb(), cheque.id, "  ", { staffId }, NOW));
    expect(blank.details).toEqual({ reason: ["value_is_mandatory"] });
    await reverseOfflinePayment(testDb(), cheque.id, "Returned NSF by the bank", { staffId }, NOW);
    const [a, b, c] = await Promise.all([invoice(invoices.a), invoice(invoices.b), invoice(invoices.c)]);
    expect(a).toMatchObject({ status: "finalized", amountPaidCents: cents(0), paymentStatus: "failed", paidAt: null });
    expect(b).toMatchObject({ status: "finalized", amountPaidCents: cents(0), paymentStatus: "failed" });
    // C keeps the EFT's $10.00; the $12.60 drawn from the cheque's credit is due again.
    expect(c).toMatchObject({ status: "finalized", amountPaidCents: cents(1000), paymentStatus: "failed" });
    expect(amountDueCents(c)).toBe(cents(1260));
    expect((await customer()).creditBalanceCents).toBe(cents(0));
    const reversed = await testDb().paymentReceipt.findUniqueOrThrow({ where: { id: cheque.id }, include: { payments: true } });
    expect(reversed.reversalReason).toBe("Returned NSF by the bank");
    expect(reversed.payments.map((p) => p.status)).toEqual(["canceled", "canceled", "canceled"]);
    const dunning = await testDb().dunningProcess.findMany({ where: { invoiceId: { in: [invoices.a, invoices.b, invoices.c] } } });
    expect(dunning.map((d) => d.status).sort()).toEqual(["active", "active", "active"]);
    for (const id of [invoices.a, invoices.b, invoices.c]) {
      await waitFor(() => typesFor(id).includes("invoice.payment_failed") && typesFor(id).filter((t) => t === "invoice.payment_status_updated").length === 2);
    }
    const failedUpdate = receiver.accepted().filter((r) => r.type === "invoice.payment_status_updated" && JSON.stringify(r.body).includes(invoices.a)).at(-1)!;
    expect((failedUpdate.body.invoice as { payment_status: string }).payment_status).toBe("failed");
    const again = await domainRefusal(reverseOfflinePayment(testDb(), cheque.id, "again", { staffId }, NOW));
    expect(again.code).toBe("already_reversed");
    // The same cheque number can be recorded again once its first recording is reversed (a replacement cheque).
    await recordOfflinePayment(testDb(), { customerId, method: "cheque", reference: "1042", amountCents: cents(11300), receivedOn: "2026-11-20", allocations: [{ invoiceId: invoices.a, amountCents: cents(11300) }] }, { staffId }, NOW);
    expect(await invoice(invoices.a)).toMatchObject({ status: "paid", paymentStatus: "succeeded" });
    expect((await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoices.a } })).status).toBe("recovered");
    const audit = await testDb().auditLog.findMany({ where: { entityType: "PaymentReceipt", entityId: cheque.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((e) => [e.action, e.actorId])).toEqual([["payment_receipt.recorded", staffId], ["payment_receipt.reversed", staffId]]);
  });
});
