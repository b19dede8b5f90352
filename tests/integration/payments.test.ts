import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { chargeIdempotencyKey, chargeInvoice, resumeStalledCharges } from "@/lib/payments/charge-invoice";
import { runCollections } from "@/lib/payments/collections";
import { requireStripe } from "@/lib/payments/stripe-client";
import { setDefaultPaymentMethod } from "@/lib/payments/payment-methods";
import { runDueDunning } from "@/lib/dunning/dunning-process";
import { DomainError } from "@/lib/errors";
import { sendPortalSignInLink } from "@/lib/auth/portal-email-sign-in";
import { sendCustomerEmail } from "@/lib/mail/customer-email";
import { createTestService, testDb } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { mailsTo, waitForMail } from "../support/mail-catcher";
import { octoberInvoice, saveCardThroughCheckout, serviceWithReceiver, stripeIntentsOf, subscribedCustomer, TEST_CARDS } from "../support/payment-fixture";
import { waitFor } from "../support/webhook-receiver";

// Everything runs against the real pieces: the app server (Stripe webhooks arrive at its /api/stripe/webhook, its
// worker delivers our webhooks), the local Stripe server through the real stripe SDK, and the SMTP mail catcher.

const DAY = 24 * 60 * 60 * 1000;

describe("collecting with Stripe", () => {
  beforeAll(async () => {
    await testDb().companyProfile.upsert({ where: { id: 1 }, update: {}, create: { id: 1, legalName: "Nexa Technologies Inc.", province: "ON", gstHstNumber: "123456789 RT0001" } });
  });

  it("charges a saved card when the invoice is finalised, records the payment and tells the app invoice.paid", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    const { customerId, email } = await subscribedCustomer(svc, "happy");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    // Stripe's setup_intent.succeeded webhook reached the app before Checkout sent the customer back.
    const card = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId } });
    expect(card).toMatchObject({ brand: "visa", last4: "4242", isDefault: true });

    const invoice = await octoberInvoice(svc, customerId);
    expect(invoice).toMatchObject({ status: "finalized", totalCents: 5650n, paymentStatus: "pending" });

    await runCollections(testDb(), new Date(), { serviceId: svc.id });
    const paid = await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id }, include: { payments: true } });
    expect(paid).toMatchObject({ status: "paid", paymentStatus: "succeeded", amountPaidCents: 5650n });
    expect(paid.payments).toHaveLength(1);
    expect(paid.payments[0]).toMatchObject({ status: "succeeded", amountCents: 5650n, attempt: 1, trigger: "automatic", idempotencyKey: chargeIdempotencyKey(invoice.id, 1) });

    const [intent] = await stripeIntentsOf(customerId);
    expect(intent).toMatchObject({ id: paid.payments[0].providerPaymentId, amount: 5650, currency: "cad", status: "succeeded", payment_method: card.providerPaymentMethodId });
    expect(intent.metadata).toMatchObject({ nexa_invoice_id: invoice.id, nexa_payment_id: paid.payments[0].id });

    // The app's handler gets invoice.paid once, signed with the service's secret.
    const delivered = (await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.paid")))!;
    expect(delivered.nexaSignatureValid).toBe(true);
    expect(delivered.lagoSignatureValid).toBe(true);
    expect(delivered.body).toMatchObject({ webhook_type: "invoice.paid", object_type: "invoice", invoice: { lago_id: invoice.id, payment_status: "succeeded", total_paid_amount_cents: 5650, total_due_amount_cents: 0 } });

    // Lago's payment.succeeded comes first, in order with invoice.paid.
    const types = receiver.accepted().map((r) => r.type);
    expect(types.indexOf("payment.succeeded")).toBeGreaterThanOrEqual(0);
    expect(types.indexOf("payment.succeeded")).toBeLessThan(types.indexOf("invoice.paid"));
    expect(receiver.accepted().find((r) => r.type === "payment.succeeded")!.body).toMatchObject({
      object_type: "payment", payment: { lago_id: paid.payments[0].id, invoice_ids: [invoice.id], amount_cents: 5650, amount_currency: "CAD", external_payment_id: intent.id },
    });

    // Stripe's own payment_intent.succeeded webhook arrives too and changes nothing.
    const succeededEvents = (await requireStripe().events.list({ type: "payment_intent.succeeded", limit: 100 })).data.filter((e) => (e.data.object as Stripe.PaymentIntent).id === intent.id);
    expect(succeededEvents).toHaveLength(1);
    await waitFor(() => testDb().stripeEvent.findUnique({ where: { id: succeededEvents[0].id } }));
    const after = await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } });
    expect(after.amountPaidCents).toBe(5650n);
    expect(await testDb().webhookEvent.count({ where: { serviceId: svc.id, eventType: "invoice.paid" } })).toBe(1);

    const receipt = await waitForMail(testEnv.mailUrl, email, (m) => m.subject.startsWith("Receipt"));
    expect(receipt.text).toContain("$56.50");
  });

  it("verifies Stripe's signature, handles each event once and acknowledges unknown ones", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "refund");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const invoice = await octoberInvoice(svc, customerId);
    await chargeInvoice(testDb(), invoice.id, { trigger: "staff" });
    const payment = await testDb().payment.findFirstOrThrow({ where: { invoiceId: invoice.id } });

    // A partial refund made in Stripe reaches the ledger through charge.refunded.
    const refund = await requireStripe().refunds.create({ payment_intent: payment.providerPaymentId!, amount: 1000 });
    const stored = await waitFor(() => testDb().refund.findUnique({ where: { providerRefundId: refund.id } }));
    expect(stored).toMatchObject({ amountCents: 1000n, paymentId: payment.id });
    expect(await testDb().payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ refundedCents: 1000n, status: "succeeded" });

    // The same event delivered again (Stripe retries) changes nothing.
    const event = (await requireStripe().events.list({ type: "charge.refunded", limit: 100 })).data.find((e) => (e.data.object as Stripe.Charge).payment_intent === payment.providerPaymentId)!;
    const post = (payload: string, signature?: string) =>
      fetch(`${testEnv.baseUrl}/api/stripe/webhook`, { method: "POST", headers: { "Content-Type": "application/json", ...(signature ? { "Stripe-Signature": signature } : {}) }, body: payload });
    const sign = (payload: string, secret = process.env.STRIPE_WEBHOOK_SECRET!) => requireStripe().webhooks.generateTestHeaderString({ payload, secret });
    const payload = JSON.stringify(event);
    for (let i = 0; i < 2; i++) {
      const response = await post(payload, sign(payload));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, outcome: "duplicate" });
    }
    expect(await testDb().refund.count({ where: { paymentId: payment.id } })).toBe(1);
    expect((await testDb().payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedCents).toBe(1000n);

    // A refund credit note from the API is paid back to the card: $10.00 + 13 % HST.
    const line = await testDb().invoiceLine.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    const issued = await svc.call("/credit_notes", { method: "POST", json: { credit_note: { invoice_id: invoice.id, reason: "order_change", refund_amount_cents: 1130, items: [{ fee_id: line.id, amount_cents: 1000 }] } } });
    expect(issued.status).toBe(200);
    const note = (await issued.json()).credit_note;
    expect(note).toMatchObject({ refund_amount_cents: 1130, refund_status: "succeeded" });
    const toCard = await testDb().refund.findFirstOrThrow({ where: { creditNoteId: note.lago_id } });
    expect(toCard).toMatchObject({ amountCents: 1130n, paymentId: payment.id });
    expect((await testDb().payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedCents).toBe(2130n);
    const charge = await requireStripe().charges.retrieve((await requireStripe().paymentIntents.retrieve(payment.providerPaymentId!)).latest_charge as string);
    expect(charge.amount_refunded).toBe(2130);
    // Stripe's charge.refunded for it is handled too, without counting the refund twice.
    const refundEvents = await waitFor(async () => {
      const events = (await requireStripe().events.list({ type: "charge.refunded", limit: 100 })).data.filter((e) => (e.data.object as Stripe.Charge).payment_intent === payment.providerPaymentId);
      return events.length === 2 ? events : null;
    });
    await waitFor(async () => (await testDb().stripeEvent.count({ where: { id: { in: refundEvents!.map((e) => e.id) } } })) === 2);
    expect(await testDb().refund.count({ where: { paymentId: payment.id } })).toBe(2);
    expect((await testDb().payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedCents).toBe(2130n);

    // Unknown types are acknowledged and ignored; unsigned, forged or stale events are refused.
    const unknown = JSON.stringify({ id: `evt_unknown_${svc.code}`, object: "event", type: "customer.subscription.created", data: { object: { id: "sub_1" } }, created: Math.floor(Date.now() / 1000), livemode: false, api_version: "2026-10-28" });
    const ack = await post(unknown, sign(unknown));
    expect(ack.status).toBe(200);
    expect(await ack.json()).toEqual({ received: true, outcome: "ignored" });
    expect((await post(unknown)).status).toBe(400);
    const forged = await post(unknown, sign(unknown, "whsec_not_the_secret"));
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: "invalid_signature" });
    const stale = requireStripe().webhooks.generateTestHeaderString({ payload: unknown, secret: process.env.STRIPE_WEBHOOK_SECRET!, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await post(unknown, stale)).status).toBe(400);
  });

  it("charges an invoice once when several charges start at the same moment", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "racer");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const invoice = await octoberInvoice(svc, customerId);
    const outcomes = await Promise.allSettled([
      chargeInvoice(testDb(), invoice.id, { trigger: "customer", customerId }),
      chargeInvoice(testDb(), invoice.id, { trigger: "staff" }),
      runCollections(testDb(), new Date(), { serviceId: svc.id }),
    ]);
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") expect(["payment_in_progress", "invoice_already_paid"]).toContain((outcome.reason as DomainError).code);
    }
    expect(await stripeIntentsOf(customerId)).toHaveLength(1);
    expect(await testDb().payment.count({ where: { invoiceId: invoice.id } })).toBe(1);
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "paid", amountPaidCents: 5650n });
  });

  it("sends a charge Stripe never answered again with the same idempotency key, never as a second charge", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "outage");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const invoice = await octoberInvoice(svc, customerId);

    const apiUrl = process.env.STRIPE_API_URL;
    process.env.STRIPE_API_URL = "http://127.0.0.1:9"; // nothing listens: Stripe is unreachable
    let first;
    try {
      first = await chargeInvoice(testDb(), invoice.id, { trigger: "automatic" });
    } finally {
      process.env.STRIPE_API_URL = apiUrl;
    }
    expect(first.status).toBe("processing");
    expect(first.payment).toMatchObject({ status: "processing", providerPaymentId: null, idempotencyKey: chargeIdempotencyKey(invoice.id, 1) });
    expect(first.payment.failureMessage).toMatch(/^Stripe did not answer/);
    // Not a card failure: no dunning, no reminder, and no second attempt while this one is unresolved.
    expect(await testDb().dunningProcess.findUnique({ where: { invoiceId: invoice.id } })).toBeNull();
    expect((await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).paymentStatus).toBe("pending");
    await expect(chargeInvoice(testDb(), invoice.id, { trigger: "staff" })).rejects.toMatchObject({ code: "payment_in_progress" });

    // Stripe is back: the collection pass sends the same request again.
    expect((await resumeStalledCharges(testDb(), new Date(Date.now() + 3 * 60_000), { serviceId: svc.id })).resumed).toBe(1);
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "paid", amountPaidCents: 5650n });
    expect(await testDb().payment.findMany({ where: { invoiceId: invoice.id } })).toEqual([expect.objectContaining({ status: "succeeded", attempt: 1, failureMessage: null })]);
    expect(await stripeIntentsOf(customerId)).toHaveLength(1);
  });

  it("never charges shadow billing or a customer without a saved card, even when asked to", async () => {
    // A shadow (dual-run) service's customer who even has a card.
    const shadow = await createTestService("shadow");
    const shadowCustomer = await subscribedCustomer(shadow, "shadowed");
    await saveCardThroughCheckout(shadowCustomer.customerId, TEST_CARDS.visa);
    const shadowInvoice = await octoberInvoice(shadow, shadowCustomer.customerId);
    expect(shadowInvoice.shadow).toBe(true);

    // A live customer with no card (e.g. an imported account).
    const live = await createTestService("live");
    const cardless = await subscribedCustomer(live, "cardless");
    const cardlessInvoice = await octoberInvoice(live, cardless.customerId);
    expect(cardlessInvoice.status).toBe("finalized");

    const refusal = async (invoiceId: string) => {
      try {
        await chargeInvoice(testDb(), invoiceId, { trigger: "staff" });
      } catch (error) {
        if (error instanceof DomainError) return error.code;
        throw error;
      }
      throw new Error("the charge was not refused");
    };
    expect(await refusal(shadowInvoice.id)).toBe("shadow_invoice");
    expect(await refusal(cardlessInvoice.id)).toBe("no_payment_method");

    // Even a live invoice that bills a shadow subscription is refused (the importer's subscriptions are shadow).
    await testDb().subscription.update({ where: { id: cardless.subscriptionId }, data: { shadow: true } });
    await saveCardThroughCheckout(cardless.customerId, TEST_CARDS.visa);
    expect(await refusal(cardlessInvoice.id)).toBe("shadow_subscription");

    for (const svc of [shadow, live]) {
      const summary = await runCollections(testDb(), new Date(), { serviceId: svc.id });
      expect(summary.charged).toBe(0);
    }
    expect(await stripeIntentsOf(shadowCustomer.customerId)).toHaveLength(0);
    expect(await stripeIntentsOf(cardless.customerId)).toHaveLength(0);
    expect(await testDb().payment.count({ where: { invoiceId: { in: [shadowInvoice.id, cardlessInvoice.id] } } })).toBe(0);

    // Nor are dual-run customers e-mailed: no portal sign-in link, and any e-mail to them is withheld (and logged).
    await sendPortalSignInLink(testDb(), shadowCustomer.email, `${testEnv.baseUrl}/api/auth/callback/email?token=x`);
    expect(await sendCustomerEmail(testDb(), { customerId: shadowCustomer.customerId, to: shadowCustomer.email, subject: "Your invoice", text: "…", kind: "test" })).toEqual({ status: "withheld_dual_run", error: null });
    expect(await testDb().emailMessage.findMany({ where: { customerId: shadowCustomer.customerId } })).toEqual([expect.objectContaining({ kind: "test", status: "withheld_dual_run" })]);
    expect(await mailsTo(testEnv.mailUrl, shadowCustomer.email)).toHaveLength(0);
  });
});

describe("dunning", () => {
  it("retries on days 1, 3 and 7 with a reminder each time, then suspends and tells the app", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    const { customerId, email, subscriptionId } = await subscribedCustomer(svc, "declined");
    await saveCardThroughCheckout(customerId, TEST_CARDS.chargeDeclined);
    const invoice = await octoberInvoice(svc, customerId);
    const t0 = new Date();

    await runCollections(testDb(), t0, { serviceId: svc.id });
    let process = await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } });
    expect(process).toMatchObject({ status: "active", step: 0, startedAt: t0, nextActionAt: new Date(t0.getTime() + DAY) });
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "finalized", paymentStatus: "failed" });
    await waitForMail(testEnv.mailUrl, email, (m) => m.text.includes("reminder 1"));

    // Nothing happens before a step is due.
    expect((await runDueDunning(testDb(), new Date(t0.getTime() + DAY - 60_000), { serviceId: svc.id })).processed).toBe(0);

    for (const [day, step] of [[1, 1], [3, 2]] as const) {
      await runDueDunning(testDb(), new Date(t0.getTime() + day * DAY + 60_000), { serviceId: svc.id });
      process = await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } });
      expect(process).toMatchObject({ status: "active", step });
      await waitForMail(testEnv.mailUrl, email, (m) => m.text.includes(`reminder ${step + 1}`));
    }
    expect((await testDb().subscription.findUniqueOrThrow({ where: { id: subscriptionId } })).suspendedAt).toBeNull();

    // Day 7: the last retry fails too, and the subscriptions are suspended.
    const day7 = new Date(t0.getTime() + 7 * DAY + 60_000);
    await runDueDunning(testDb(), day7, { serviceId: svc.id });
    process = await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } });
    expect(process).toMatchObject({ status: "suspended", step: 3 });
    expect(await testDb().subscription.findUniqueOrThrow({ where: { id: subscriptionId } })).toMatchObject({ suspendedAt: day7, pastDueAt: day7, status: "active" });

    // Four attempts in all, each with its own idempotency key, all declined.
    const payments = await testDb().payment.findMany({ where: { invoiceId: invoice.id }, orderBy: { attempt: "asc" } });
    expect(payments.map((p) => [p.attempt, p.status, p.trigger])).toEqual([[1, "failed", "automatic"], [2, "failed", "dunning"], [3, "failed", "dunning"], [4, "failed", "dunning"]]);
    expect(new Set(payments.map((p) => p.idempotencyKey)).size).toBe(4);
    expect(await stripeIntentsOf(customerId)).toHaveLength(4);

    const suspended = (await waitFor(() => receiver.accepted().find((r) => r.type === "subscription.suspended")))!;
    expect(suspended.nexaSignatureValid).toBe(true);
    expect(suspended.body).toMatchObject({ object_type: "subscription", subscription: { lago_id: subscriptionId, external_id: "sub-declined", suspended_at: day7.toISOString() } });
    await waitFor(() => receiver.accepted().filter((r) => r.type === "invoice.payment_failed").length === 4);
    await waitForMail(testEnv.mailUrl, email, (m) => m.subject.includes("suspended"));
    expect((await mailsTo(testEnv.mailUrl, email)).filter((m) => m.subject.startsWith("Payment failed"))).toHaveLength(4);
    expect(receiver.accepted().some((r) => r.type === "invoice.paid")).toBe(false);

    // Paying afterwards (a new card, from the portal) resumes the subscriptions and tells the app.
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const visa = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId, last4: "4242" } });
    await setDefaultPaymentMethod(testDb(), customerId, visa.id);
    expect((await chargeInvoice(testDb(), invoice.id, { trigger: "customer", customerId })).status).toBe("succeeded");
    expect(await testDb().subscription.findUniqueOrThrow({ where: { id: subscriptionId } })).toMatchObject({ suspendedAt: null, pastDueAt: null });
    expect((await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } })).status).toBe("recovered");
    const resumed = (await waitFor(() => receiver.accepted().find((r) => r.type === "subscription.updated" && (r.body.subscription as { suspended_at: string | null }).suspended_at === null)))!;
    expect(resumed.body).toMatchObject({ subscription: { lago_id: subscriptionId, past_due_at: null } });
    await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.paid"));
  });

  it("stops at the first step that collects, and sends invoice.paid", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    const { customerId, subscriptionId } = await subscribedCustomer(svc, "recovers");
    await saveCardThroughCheckout(customerId, TEST_CARDS.chargeDeclined);
    const invoice = await octoberInvoice(svc, customerId);
    const t0 = new Date();
    await runCollections(testDb(), t0, { serviceId: svc.id });
    expect((await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } })).status).toBe("active");

    // The customer adds a working card and makes it the default; the day-1 retry collects.
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const visa = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId, last4: "4242" } });
    await setDefaultPaymentMethod(testDb(), customerId, visa.id);
    await runDueDunning(testDb(), new Date(t0.getTime() + DAY + 60_000), { serviceId: svc.id });

    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "paid", paymentStatus: "succeeded", amountPaidCents: 5650n });
    expect(await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } })).toMatchObject({ status: "recovered", step: 0, nextActionAt: null });
    const paid = (await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.paid")))!;
    expect(paid.body).toMatchObject({ invoice: { lago_id: invoice.id, payment_status: "succeeded" } });

    // Later days do nothing: no more charges, no suspension.
    expect((await runDueDunning(testDb(), new Date(t0.getTime() + 8 * DAY), { serviceId: svc.id })).processed).toBe(0);
    expect(await testDb().payment.count({ where: { invoiceId: invoice.id } })).toBe(2);
    expect((await testDb().subscription.findUniqueOrThrow({ where: { id: subscriptionId } })).suspendedAt).toBeNull();
  });
});
