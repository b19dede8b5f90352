import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { runDueDunning } from "@/lib/dunning/dunning-process";
import { creditNoteDocument } from "@/lib/documents/ledger-documents";
import { DomainError } from "@/lib/errors";
import { chargeIdempotencyKey, chargeInvoice, completeOnSessionPayment, resumeStalledCharges } from "@/lib/payments/charge-invoice";
import { runCollections } from "@/lib/payments/collections";
import { setDefaultPaymentMethod } from "@/lib/payments/payment-methods";
import { requireStripe } from "@/lib/payments/stripe-client";
import { customerCreationKey, ensureStripeCustomer } from "@/lib/payments/stripe-customers";
import { testDb } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { mailsTo, waitForMail } from "../support/mail-catcher";
import { octoberInvoice, saveCardThroughCheckout, serviceWithReceiver, stripeIntentsOf, subscribedCustomer, TEST_CARDS } from "../support/payment-fixture";
import { stripeControls } from "../support/stripe-controls";
import { waitFor } from "../support/webhook-receiver";

// Each finding of issue 16, against the local Stripe server made as strict as Stripe (tests/unit/stripe-test-server
// drives each strict behaviour through the SDK on its own).

const DAY = 24 * 60 * 60 * 1000;

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error("not refused");
}

beforeAll(async () => {
  await testDb().companyProfile.upsert({ where: { id: 1 }, update: {}, create: { id: 1, legalName: "Nexa Technologies Inc.", province: "ON", gstHstNumber: "123456789 RT0001" } });
});

describe("cards that need authentication", () => {
  it("off-session: asks the customer with a pay link, never a decline, never dunned; on-session: authenticates and pays", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    const { customerId, email, subscriptionId } = await subscribedCustomer(svc, "threeds");
    await saveCardThroughCheckout(customerId, TEST_CARDS.authenticationRequired);
    const invoice = await octoberInvoice(svc, customerId);
    const t0 = new Date();

    const summary = await runCollections(testDb(), t0, { serviceId: svc.id });
    expect(summary).toMatchObject({ charged: 1, failed: 0, actionRequired: 1 });
    const [attempt] = await testDb().payment.findMany({ where: { invoiceId: invoice.id } });
    expect(attempt).toMatchObject({ status: "failed", failureCode: "authentication_required" });
    // Not a decline: the invoice is not "failed", no dunning, the app hears no payment failure.
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "finalized", paymentStatus: "pending" });
    expect(await testDb().dunningProcess.findUnique({ where: { invoiceId: invoice.id } })).toBeNull();
    const ask = await waitForMail(testEnv.mailUrl, email, (m) => m.subject.startsWith("Action needed"));
    expect(ask.text).toContain(`/portal/invoices/${invoice.id}`);
    expect((await mailsTo(testEnv.mailUrl, email)).filter((m) => m.subject.startsWith("Payment failed"))).toHaveLength(0);
    // Every card payment is restricted to cards.
    const [intent] = await stripeIntentsOf(customerId);
    expect(intent).toMatchObject({ allowed_payment_method_types: ["card"], payment_method_types: ["card"], status: "requires_payment_method" });

    // Nothing suspends the customer for it, however long it waits.
    await runCollections(testDb(), new Date(t0.getTime() + 8 * DAY), { serviceId: svc.id });
    await runDueDunning(testDb(), new Date(t0.getTime() + 8 * DAY), { serviceId: svc.id });
    expect((await testDb().subscription.findUniqueOrThrow({ where: { id: subscriptionId } })).suspendedAt).toBeNull();
    expect(await testDb().payment.count({ where: { invoiceId: invoice.id } })).toBe(1);

    // The customer pays on-session: Stripe asks for 3D Secure, the customer completes it and comes back.
    const returnUrl = `${testEnv.baseUrl}/portal/invoices/${invoice.id}/payment-return`;
    const onSession = await chargeInvoice(testDb(), invoice.id, { trigger: "customer", customerId, onSession: { returnUrl } });
    expect(onSession.status).toBe("requires_action");
    expect(onSession.payment).toMatchObject({ status: "processing", attempt: 2 });
    const page = await fetch(onSession.redirectUrl!, { method: "POST", redirect: "manual", body: new URLSearchParams({ outcome: "complete" }) });
    const back = new URL(page.headers.get("location")!);
    expect(back.pathname).toBe(`/portal/invoices/${invoice.id}/payment-return`);
    expect(await completeOnSessionPayment(testDb(), customerId, invoice.id, back.searchParams.get("payment_intent")!)).toBe("succeeded");
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "paid", amountPaidCents: 5650n, paymentStatus: "succeeded" });
    await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.paid"));
    expect(receiver.accepted().some((r) => r.type === "invoice.payment_failed")).toBe(false);
  });

  it("an on-session payment whose authentication fails or is abandoned ends without charging or dunning", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "abandons");
    await saveCardThroughCheckout(customerId, TEST_CARDS.authenticationRequired);
    const invoice = await octoberInvoice(svc, customerId);
    const returnUrl = `${testEnv.baseUrl}/portal/invoices/${invoice.id}/payment-return`;

    const failed = await chargeInvoice(testDb(), invoice.id, { trigger: "customer", customerId, onSession: { returnUrl } });
    const page = await fetch(failed.redirectUrl!, { method: "POST", redirect: "manual", body: new URLSearchParams({ outcome: "fail" }) });
    const intentId = new URL(page.headers.get("location")!).searchParams.get("payment_intent")!;
    expect(await completeOnSessionPayment(testDb(), customerId, invoice.id, intentId)).toBe("canceled");
    expect(await testDb().payment.findUniqueOrThrow({ where: { id: failed.payment.id } })).toMatchObject({ status: "canceled", failureCode: "payment_intent_authentication_failure" });
    // Another customer's invoice or intent is never settled through this return.
    expect(await completeOnSessionPayment(testDb(), customerId, "00000000-0000-0000-0000-000000000000", intentId)).toBe("unknown");

    // Abandoned on Stripe's page: an hour later the collection pass cancels the intent at Stripe.
    const abandoned = await chargeInvoice(testDb(), invoice.id, { trigger: "customer", customerId, onSession: { returnUrl } });
    expect(abandoned.status).toBe("requires_action");
    await expect(chargeInvoice(testDb(), invoice.id, { trigger: "staff" })).rejects.toMatchObject({ code: "payment_in_progress" });
    expect((await resumeStalledCharges(testDb(), new Date(Date.now() + 2 * 60 * 60 * 1000), { serviceId: svc.id })).resumed).toBe(1);
    expect(await testDb().payment.findUniqueOrThrow({ where: { id: abandoned.payment.id } })).toMatchObject({ status: "canceled", failureCode: "canceled_abandoned" });
    expect((await requireStripe().paymentIntents.retrieve(abandoned.payment.providerPaymentId!)).status).toBe("canceled");
    expect(await testDb().dunningProcess.findUnique({ where: { invoiceId: invoice.id } })).toBeNull();
    expect((await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).paymentStatus).toBe("pending");
  });
});

describe("amounts a card cannot carry", () => {
  it("are never charged nor dunned: under CAD 0.50 and over the maximum", async () => {
    const { svc } = await serviceWithReceiver();
    const small = await subscribedCustomer(svc, "tiny");
    const large = await subscribedCustomer(svc, "huge");
    for (const c of [small, large]) await saveCardThroughCheckout(c.customerId, TEST_CARDS.visa);
    await octoberInvoice(svc, small.customerId);
    const smallInvoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, customerId: small.customerId } });
    const largeInvoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, customerId: large.customerId } });
    // $0.49 due after credits; $1,000,000.00 due.
    await testDb().invoice.update({ where: { id: smallInvoice.id }, data: { creditsAppliedCents: smallInvoice.totalCents - 49n } });
    await testDb().invoice.update({ where: { id: largeInvoice.id }, data: { totalCents: 100_000_000n } });

    expect(await refusal(chargeInvoice(testDb(), smallInvoice.id, { trigger: "staff" }))).toBe("below_card_minimum");
    expect(await refusal(chargeInvoice(testDb(), largeInvoice.id, { trigger: "staff" }))).toBe("above_card_maximum");
    const summary = await runCollections(testDb(), new Date(), { serviceId: svc.id });
    expect(summary.charged).toBe(0);
    expect(await testDb().payment.count({ where: { invoiceId: { in: [smallInvoice.id, largeInvoice.id] } } })).toBe(0);
    expect(await testDb().dunningProcess.count({ where: { invoiceId: { in: [smallInvoice.id, largeInvoice.id] } } })).toBe(0);
    expect(await stripeIntentsOf(small.customerId)).toHaveLength(0);
  });
});

describe("intermediate and final states", () => {
  it("processing settles through Stripe's webhook and blocks a second charge meanwhile; payment_intent.canceled ends the attempt without dunning", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "slowbank");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const card = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId } });
    await stripeControls.setCardBehaviour(card.providerPaymentMethodId, "processing");
    const invoice = await octoberInvoice(svc, customerId);

    const first = await chargeInvoice(testDb(), invoice.id, { trigger: "automatic" });
    expect(first.status).toBe("processing");
    expect(first.payment.providerPaymentId).toMatch(/^pi_/);
    await expect(chargeInvoice(testDb(), invoice.id, { trigger: "staff" })).rejects.toMatchObject({ code: "payment_in_progress" });
    await stripeControls.settlePaymentIntent(first.payment.providerPaymentId!, "succeeded");
    await waitFor(async () => (await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).status === "paid");

    // A second invoice whose processing intent Stripe cancels.
    const other = await subscribedCustomer(svc, "slowbank2");
    await saveCardThroughCheckout(other.customerId, TEST_CARDS.visa);
    const otherCard = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId: other.customerId } });
    await stripeControls.setCardBehaviour(otherCard.providerPaymentMethodId, "processing");
    const otherInvoice = await octoberInvoice(svc, other.customerId);
    const pending = await chargeInvoice(testDb(), otherInvoice.id, { trigger: "automatic" });
    await requireStripe().paymentIntents.cancel(pending.payment.providerPaymentId!);
    await waitFor(async () => (await testDb().payment.findUniqueOrThrow({ where: { id: pending.payment.id } })).status === "canceled");
    expect(await testDb().dunningProcess.findUnique({ where: { invoiceId: otherInvoice.id } })).toBeNull();
  });

  it("a rejected key (403) or a reused idempotency key alerts staff, ends the attempt and is not retried", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "misconfig");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const invoice = await octoberInvoice(svc, customerId);

    const key = process.env.STRIPE_SECRET_KEY;
    process.env.STRIPE_SECRET_KEY = "rk_test_readonly_nexa_billing";
    let result;
    try {
      result = await chargeInvoice(testDb(), invoice.id, { trigger: "automatic" });
    } finally {
      process.env.STRIPE_SECRET_KEY = key;
    }
    expect(result.status).toBe("canceled");
    expect(result.payment).toMatchObject({ status: "canceled", failureCode: "stripe_permission_denied" });
    expect(await testDb().auditLog.count({ where: { action: "payments.alert.stripe_configuration", entityId: result.payment.id } })).toBe(1);
    await waitForMail(testEnv.mailUrl, testEnv.adminEmail, (m) => m.subject.includes("stripe_permission_denied"));
    expect(await testDb().dunningProcess.findUnique({ where: { invoiceId: invoice.id } })).toBeNull();
    // The collection pass does not blindly try again.
    expect((await runCollections(testDb(), new Date(), { serviceId: svc.id })).charged).toBe(0);

    // The next attempt's key already used at Stripe with other parameters: 400 idempotency_error, staff told.
    const stripeCustomer = (await testDb().customer.findUniqueOrThrow({ where: { id: customerId } })).stripeCustomerId!;
    await requireStripe().paymentIntents.create({ amount: 100, currency: "cad", customer: stripeCustomer, allowed_payment_method_types: ["card"] }, { idempotencyKey: chargeIdempotencyKey(invoice.id, 2) });
    const reused = await chargeInvoice(testDb(), invoice.id, { trigger: "staff" });
    expect(reused.payment).toMatchObject({ status: "canceled", failureCode: "idempotency_error" });
    expect(await testDb().auditLog.count({ where: { action: "payments.alert.stripe_configuration", entityId: reused.payment.id } })).toBe(1);
  });
});

describe("collections", () => {
  it("one invoice's failure never stops the others, and a stalled attempt is found past the first page of intents", async () => {
    const { svc } = await serviceWithReceiver();
    // A stalled attempt of a customer Stripe no longer knows (its look-up throws).
    const broken = await subscribedCustomer(svc, "broken");
    // A stalled attempt, older than Stripe's idempotency window, whose intent succeeded but sits behind 120 newer ones.
    const busy = await subscribedCustomer(svc, "busy");
    const healthy = await subscribedCustomer(svc, "healthy");
    for (const c of [broken, busy, healthy]) await saveCardThroughCheckout(c.customerId, TEST_CARDS.visa);
    const brokenInvoice = await octoberInvoice(svc, broken.customerId);
    const busyInvoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, customerId: busy.customerId } });
    const healthyInvoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, customerId: healthy.customerId } });

    const dayAgo = new Date(Date.now() - DAY);
    const stalled = async (invoiceId: string, customerId: string) => {
      const card = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId } });
      const invoice = await testDb().invoice.findUniqueOrThrow({ where: { id: invoiceId } });
      return testDb().payment.create({
        data: { invoiceId, customerId, amountCents: invoice.totalCents, currency: "CAD", status: "processing", idempotencyKey: chargeIdempotencyKey(invoiceId, 1), attempt: 1, providerPaymentMethodId: card.providerPaymentMethodId, failureMessage: "Stripe did not answer", createdAt: dayAgo, updatedAt: dayAgo },
      });
    };
    const brokenPayment = await stalled(brokenInvoice.id, broken.customerId);
    await testDb().customer.update({ where: { id: broken.customerId }, data: { stripeCustomerId: "cus_gone_for_good" } });
    const busyPayment = await stalled(busyInvoice.id, busy.customerId);
    const busyStripe = (await testDb().customer.findUniqueOrThrow({ where: { id: busy.customerId } })).stripeCustomerId!;
    const card = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId: busy.customerId } });
    await requireStripe().paymentIntents.create({ amount: Number(busyInvoice.totalCents), currency: "cad", customer: busyStripe, payment_method: card.providerPaymentMethodId, confirm: true, off_session: true, allowed_payment_method_types: ["card"], metadata: { nexa_payment_id: busyPayment.id, nexa_invoice_id: busyInvoice.id } });
    for (let i = 0; i < 120; i++) await requireStripe().paymentIntents.create({ amount: 100 + i, currency: "cad", customer: busyStripe, allowed_payment_method_types: ["card"] });

    const summary = await runCollections(testDb(), new Date(), { serviceId: svc.id });
    expect(summary.errors).toEqual([expect.objectContaining({ paymentId: brokenPayment.id })]);
    // The succeeded payment is recognised, never failed (and never charged again).
    expect(await testDb().payment.findUniqueOrThrow({ where: { id: busyPayment.id } })).toMatchObject({ status: "succeeded" });
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: busyInvoice.id } })).toMatchObject({ status: "paid" });
    expect(await testDb().payment.count({ where: { invoiceId: busyInvoice.id } })).toBe(1);
    // The healthy invoice was collected regardless.
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: healthyInvoice.id } })).toMatchObject({ status: "paid" });
    expect(await testDb().payment.findUniqueOrThrow({ where: { id: brokenPayment.id } })).toMatchObject({ status: "processing" });
  });

  it("an attempt whose stored answer is a 500 is looked up, then charged as a new attempt instead of replaying the 500", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "fivehundred");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const invoice = await octoberInvoice(svc, customerId);
    // The SDK's own retries of the request get the stored 500 too.
    await stripeControls.failNext("POST", "/v1/payment_intents", 1, chargeIdempotencyKey(invoice.id, 1));
    const first = await chargeInvoice(testDb(), invoice.id, { trigger: "automatic" });
    expect(first).toMatchObject({ status: "processing", payment: { failureCode: "stripe_api_error" } });
    expect((await resumeStalledCharges(testDb(), new Date(Date.now() + 3 * 60_000), { serviceId: svc.id })).resumed).toBe(1);
    const attempts = await testDb().payment.findMany({ where: { invoiceId: invoice.id }, orderBy: { attempt: "asc" } });
    expect(attempts.map((p) => [p.attempt, p.status])).toEqual([[1, "canceled"], [2, "succeeded"]]);
    expect(await stripeIntentsOf(customerId)).toHaveLength(1);
  });
});

describe("refunds have a lifecycle", () => {
  it("a refunded credit note's refund_status is the same for every reader: the API, the download, the PDF and the webhook", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "refundshown");
    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const invoice = await octoberInvoice(svc, customerId);
    await chargeInvoice(testDb(), invoice.id, { trigger: "automatic" });
    const line = await testDb().invoiceLine.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    const issued = await svc.call("/credit_notes", { method: "POST", json: { credit_note: { invoice_id: invoice.id, reason: "order_change", refund_amount_cents: 1130, items: [{ fee_id: line.id, amount_cents: 1000 }] } } });
    expect(issued.status).toBe(200);
    const note = (await issued.json()).credit_note;
    expect(note).toMatchObject({ refund_amount_cents: 1130, refund_status: "succeeded" });
    expect(await testDb().refund.findFirstOrThrow({ where: { creditNoteId: note.lago_id } })).toMatchObject({ amountCents: 1130n, status: "succeeded" });

    const download = await svc.call(`/credit_notes/${note.lago_id}/download`, { method: "POST" });
    expect(download.status).toBe(200);
    const downloaded = (await download.json()).credit_note;
    expect(downloaded).toMatchObject({ lago_id: note.lago_id, refund_status: "succeeded", refund_amount_cents: 1130 });
    expect(downloaded.file_url).toMatch(/\/documents\/credit_notes\//);
    const pdf = await fetch(downloaded.file_url);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toContain("application/pdf");
    expect((await creditNoteDocument(testDb(), note.lago_id)).notes).toEqual(["Refunded to your payment method."]);
    const got = (await (await svc.call(`/credit_notes/${note.lago_id}`)).json()).credit_note;
    const listed = (await (await svc.call("/credit_notes")).json()).credit_notes.find((n: { lago_id: string }) => n.lago_id === note.lago_id);
    expect([got.refund_status, listed.refund_status]).toEqual(["succeeded", "succeeded"]);

    // credit_note.created is the note as it was issued: its refund goes to Stripe only once the note is committed, so
    // the payload says pending (as Lago's does) — the same serializer and status owner as the API, not a default.
    const created = await waitFor(() => receiver.accepted().find((r) => r.type === "credit_note.created"));
    const sent = created!.body.credit_note as Record<string, unknown>;
    expect(sent).toMatchObject({ lago_id: note.lago_id, refund_status: "pending", refund_amount_cents: 1130, credit_status: null });
    expect(Object.keys(sent).sort()).toEqual(Object.keys(got).sort());
  });

  it("a refund that fails later no longer counts and staff are told; events out of order and twice never lower or double the total", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "refundfail");
    await saveCardThroughCheckout(customerId, TEST_CARDS.refundFails);
    const invoice = await octoberInvoice(svc, customerId);
    await chargeInvoice(testDb(), invoice.id, { trigger: "automatic" });
    const payment = await testDb().payment.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    // A refund credit note paid back to the card: Stripe accepts the refund (succeeded), then the bank sends it back.
    const line = await testDb().invoiceLine.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    const issued = await svc.call("/credit_notes", { method: "POST", json: { credit_note: { invoice_id: invoice.id, reason: "order_change", refund_amount_cents: 1130, items: [{ fee_id: line.id, amount_cents: 1000 }] } } });
    expect(issued.status).toBe(200);
    const note = (await issued.json()).credit_note;
    expect(note.refund_status).toBe("succeeded");
    const refund = await testDb().refund.findFirstOrThrow({ where: { creditNoteId: note.lago_id } });
    expect(refund).toMatchObject({ amountCents: 1130n });
    await waitFor(async () => (await testDb().refund.findUniqueOrThrow({ where: { id: refund.id } })).status === "failed");
    expect((await testDb().payment.findUniqueOrThrow({ where: { id: payment.id } })).refundedCents).toBe(0n);
    await waitFor(() => testDb().auditLog.findFirst({ where: { action: "payments.alert.refund_failed", entityId: payment.id } }));
    // Every reader of the note says so: the API's get and list, and the download (the PDF's signed link).
    const shownAs = async () => {
      const got = (await (await svc.call(`/credit_notes/${note.lago_id}`)).json()).credit_note;
      const listed = (await (await svc.call("/credit_notes")).json()).credit_notes.find((n: { lago_id: string }) => n.lago_id === note.lago_id);
      const downloaded = (await (await svc.call(`/credit_notes/${note.lago_id}/download`, { method: "POST" })).json()).credit_note;
      return [got.refund_status, listed.refund_status, downloaded.refund_status];
    };
    expect(await shownAs()).toEqual(["failed", "failed", "failed"]);
    expect((await creditNoteDocument(testDb(), note.lago_id)).notes).toEqual(["The refund to your payment method did not go through."]);

    // Two refunds made in Stripe while events arrive newest first and twice.
    const { svc: svc2 } = await serviceWithReceiver();
    const other = await subscribedCustomer(svc2, "chaos");
    await saveCardThroughCheckout(other.customerId, TEST_CARDS.visa);
    const otherInvoice = await octoberInvoice(svc2, other.customerId);
    await chargeInvoice(testDb(), otherInvoice.id, { trigger: "automatic" });
    const paid = await testDb().payment.findFirstOrThrow({ where: { invoiceId: otherInvoice.id } });
    await stripeControls.deliveryChaos({ outOfOrder: true, twice: true });
    try {
      await requireStripe().refunds.create({ payment_intent: paid.providerPaymentId!, amount: 1000 });
      await requireStripe().refunds.create({ payment_intent: paid.providerPaymentId!, amount: 500 });
      await stripeControls.webhooksIdle();
    } finally {
      await stripeControls.deliveryChaos({ outOfOrder: false, twice: false });
    }
    expect(await testDb().refund.count({ where: { paymentId: paid.id } })).toBe(2);
    expect((await testDb().payment.findUniqueOrThrow({ where: { id: paid.id } })).refundedCents).toBe(1500n);
  });
});

describe("disputes and decline advice", () => {
  it("a chargeback reopens the amount, tells staff, is never charged again, and a lost one tells the app", async () => {
    const { svc, receiver } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "disputer");
    await saveCardThroughCheckout(customerId, TEST_CARDS.dispute);
    const invoice = await octoberInvoice(svc, customerId);
    await runCollections(testDb(), new Date(), { serviceId: svc.id });
    const payment = await testDb().payment.findFirstOrThrow({ where: { invoiceId: invoice.id } });
    const dispute = (await waitFor(() => testDb().dispute.findFirst({ where: { paymentId: payment.id } })))!;
    expect(dispute).toMatchObject({ amountCents: 5650n, status: "needs_response", amountReopened: true });
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "finalized", amountPaidCents: 0n });
    await waitForMail(testEnv.mailUrl, testEnv.adminEmail, (m) => m.subject.includes("Chargeback opened"));
    expect((await runCollections(testDb(), new Date(), { serviceId: svc.id })).charged).toBe(0);

    await stripeControls.closeDispute(dispute.providerDisputeId, "lost");
    await waitFor(async () => (await testDb().dispute.findUniqueOrThrow({ where: { id: dispute.id } })).status === "lost");
    const lost = (await waitFor(() => receiver.accepted().find((r) => r.type === "invoice.payment_dispute_lost")))!;
    expect(lost.body).toMatchObject({ invoice: { lago_id: invoice.id } });
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "finalized", amountPaidCents: 0n });
  });

  it("a card declined as lost (do_not_try_again) is never retried; the customer is asked for a new card, which the next step charges", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId, email } = await subscribedCustomer(svc, "lostcard");
    await saveCardThroughCheckout(customerId, TEST_CARDS.lostCard);
    const invoice = await octoberInvoice(svc, customerId);
    const t0 = new Date();
    await runCollections(testDb(), t0, { serviceId: svc.id });
    expect(await testDb().payment.findFirstOrThrow({ where: { invoiceId: invoice.id } })).toMatchObject({ status: "failed", failureCode: "lost_card", adviceCode: "do_not_try_again" });
    await waitForMail(testEnv.mailUrl, email, (m) => m.subject.startsWith("New card needed"));

    await runDueDunning(testDb(), new Date(t0.getTime() + DAY + 60_000), { serviceId: svc.id });
    expect(await stripeIntentsOf(customerId)).toHaveLength(1);
    expect(await testDb().dunningProcess.findUniqueOrThrow({ where: { invoiceId: invoice.id } })).toMatchObject({ status: "active", step: 1 });

    await saveCardThroughCheckout(customerId, TEST_CARDS.visa);
    const visa = await testDb().paymentMethod.findFirstOrThrow({ where: { customerId, last4: "4242" } });
    await setDefaultPaymentMethod(testDb(), customerId, visa.id);
    await runDueDunning(testDb(), new Date(t0.getTime() + 3 * DAY + 60_000), { serviceId: svc.id });
    expect(await testDb().invoice.findUniqueOrThrow({ where: { id: invoice.id } })).toMatchObject({ status: "paid" });
  });
});

describe("currencies and customers", () => {
  it("refuses currencies without two decimals with 422 currency_not_supported", async () => {
    const { svc } = await serviceWithReceiver();
    const plan = await svc.call("/plans", { method: "POST", json: { plan: { name: "Yen", code: `jpy_${svc.code}`, interval: "monthly", amount_cents: 1000, amount_currency: "JPY", pay_in_advance: false } } });
    expect(plan.status).toBe(422);
    expect(JSON.stringify(await plan.json())).toContain("currency_not_supported");
    const customer = await svc.call("/customers", { method: "POST", json: { customer: { external_id: "kwd", legal_name: "Dinar", currency: "KWD" } } });
    expect(customer.status).toBe(422);
    const usd = await svc.call("/plans", { method: "POST", json: { plan: { name: "Dollar", code: `usd_${svc.code}`, interval: "monthly", amount_cents: 1000, amount_currency: "USD", pay_in_advance: false } } });
    expect(usd.status).toBe(200);
  });

  it("creates one Stripe customer per customer: reuses one created earlier, and an edit never reuses a key with other parameters", async () => {
    const { svc } = await serviceWithReceiver();
    const { customerId } = await subscribedCustomer(svc, "stripecustomer");
    // An earlier creation whose answer was lost, made before the customer's name changed.
    const earlierParams: Stripe.CustomerCreateParams = { name: "Old Name Inc.", metadata: { nexa_customer_id: customerId } };
    const earlier = await requireStripe().customers.create(earlierParams, { idempotencyKey: customerCreationKey(customerId, earlierParams) });
    expect(await ensureStripeCustomer(testDb(), customerId)).toBe(earlier.id);

    const { customerId: fresh } = await subscribedCustomer(svc, "stripecustomer2");
    const ids = await Promise.all([ensureStripeCustomer(testDb(), fresh), ensureStripeCustomer(testDb(), fresh)]);
    expect(ids[0]).toBe(ids[1]);
    expect((await requireStripe().customers.search({ query: `metadata['nexa_customer_id']:'${fresh}'` })).data).toHaveLength(1);
  });
});
