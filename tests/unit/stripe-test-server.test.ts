// The local Stripe test server, driven by the official `stripe` SDK exactly as the app drives Stripe.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStripeTestServer, type StripeTestServer } from "../support/stripe-test-server";
import { parseStripeForm } from "../support/stripe-test-server/http";

/** A webhook endpoint that verifies each delivery with `stripe.webhooks.constructEvent`, as the app does. */
interface Receiver {
  url: string;
  verified: Stripe.Event[];
  rejected: string[];
  /** Answer 500 to this many of the next deliveries. */
  failNext: number;
  close(): Promise<void>;
}

async function startReceiver(stripe: Stripe, secret: string): Promise<Receiver> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (receiver.failNext > 0) {
      receiver.failNext -= 1;
      res.writeHead(500).end();
      return;
    }
    try {
      receiver.verified.push(stripe.webhooks.constructEvent(Buffer.concat(chunks), String(req.headers["stripe-signature"]), secret));
      res.writeHead(200).end();
    } catch (e) {
      receiver.rejected.push((e as Error).message);
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    verified: [],
    rejected: [],
    failNext: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return receiver;
}

let server: StripeTestServer;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  server = await startStripeTestServer({ webhookRetry: { attempts: 3, delayMs: 20 } });
  stripe = new Stripe(server.secretKey, { host: server.host, port: server.port, protocol: "http", maxNetworkRetries: 0 });
  receiver = await startReceiver(stripe, server.webhookSecret);
  server.setWebhookUrl(receiver.url);
});

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

beforeEach(() => {
  receiver.failNext = 0;
});

const eventsFor = (id: string) =>
  receiver.verified.filter((e) => (e.data.object as { id?: string }).id === id).map((e) => e.type);

async function customerWithCard(token = "pm_card_visa") {
  const customer = await stripe.customers.create({ name: "Aurore Tremblay", email: "aurore@example.ca" });
  const pm = await stripe.paymentMethods.attach(token, { customer: customer.id });
  return { customer, pm };
}

async function chargeCard(customerId: string, pmId: string, amount = 1000) {
  return stripe.paymentIntents.create({
    amount,
    currency: "cad",
    customer: customerId,
    payment_method: pmId,
    confirm: true,
    off_session: true,
    allowed_payment_method_types: ["card"],
    metadata: { invoice_id: "inv_test" },
  });
}

async function cardError(promise: Promise<unknown>): Promise<Stripe.errors.StripeCardError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
  return error as Stripe.errors.StripeCardError;
}

describe("customers and payment methods", () => {
  it("attaches a test card token, makes it the default and lists it", async () => {
    const customer = await stripe.customers.create({ name: "Aurore Tremblay", email: "aurore@example.ca", metadata: { nexa_customer_id: "c1" } });
    expect(customer).toMatchObject({ object: "customer", livemode: false, email: "aurore@example.ca", metadata: { nexa_customer_id: "c1" } });
    expect(customer.id).toMatch(/^cus_/);

    const pm = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    expect(pm.id).toMatch(/^pm_/);
    expect(pm.id).not.toBe("pm_card_visa");
    expect(pm).toMatchObject({ object: "payment_method", type: "card", customer: customer.id });
    expect(pm.card).toMatchObject({ brand: "visa", last4: "4242", funding: "credit", country: "US" });
    expect(pm.card!.exp_year).toBeGreaterThan(new Date().getUTCFullYear());

    const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    expect(updated.invoice_settings.default_payment_method).toBe(pm.id);
    const expanded = await stripe.customers.retrieve(customer.id, { expand: ["invoice_settings.default_payment_method"] });
    expect(((expanded as Stripe.Customer).invoice_settings.default_payment_method as Stripe.PaymentMethod).card?.last4).toBe("4242");

    const mastercard = await stripe.paymentMethods.attach("pm_card_mastercard", { customer: customer.id });
    expect(mastercard.card).toMatchObject({ brand: "mastercard", last4: "4444" });
    const listed = await stripe.customers.listPaymentMethods(customer.id, { type: "card" });
    expect(listed).toMatchObject({ object: "list", has_more: false, url: `/v1/customers/${customer.id}/payment_methods` });
    expect(listed.data.map((p) => p.id)).toEqual([mastercard.id, pm.id]);
    const viaList = await stripe.paymentMethods.list({ customer: customer.id, type: "card", limit: 1 });
    expect(viaList.data.map((p) => p.id)).toEqual([mastercard.id]);
    expect(viaList.has_more).toBe(true);
    expect((await stripe.paymentMethods.retrieve(pm.id)).customer).toBe(customer.id);

    await stripe.paymentMethods.detach(pm.id);
    const afterDetach = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(afterDetach.invoice_settings.default_payment_method).toBeNull();
    expect((await stripe.customers.listPaymentMethods(customer.id)).data.map((p) => p.id)).toEqual([mastercard.id]);

    const deleted = await stripe.customers.del(customer.id);
    expect(deleted).toMatchObject({ id: customer.id, deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
  });

  it("creates one customer for a retried create with the same idempotency key", async () => {
    const params: Stripe.CustomerCreateParams = {
      name: "Érable Inc.",
      email: "billing@erable.example",
      preferred_locales: ["en-CA"],
      address: { line1: "1 rue Principale", city: "Montréal", state: "QC", postal_code: "H2X 1Y4", country: "CA" },
      metadata: { nexa_customer_id: "c-erable" },
    };
    const key = `nexa-customer-${Date.now()}`;
    const first = await stripe.customers.create(params, { idempotencyKey: key });
    const again = await stripe.customers.create(params, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ preferred_locales: ["en-CA"], address: { city: "Montréal", line2: null, country: "CA" } });
  });

  it("refuses a default payment method that is not the customer's, and unknown ids, in Stripe's error shape", async () => {
    const { pm } = await customerWithCard();
    const other = await stripe.customers.create({ name: "Other" });
    await expect(stripe.customers.update(other.id, { invoice_settings: { default_payment_method: pm.id } })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 400,
      param: "invoice_settings[default_payment_method]",
    });
    await expect(stripe.customers.retrieve("cus_missing")).rejects.toMatchObject({ statusCode: 404, code: "resource_missing", message: "No such customer: 'cus_missing'" });
    await expect(stripe.paymentMethods.attach(pm.id, { customer: other.id })).rejects.toMatchObject({ statusCode: 400 });
  });

  it("saves a card through a SetupIntent", async () => {
    const customer = await stripe.customers.create({ email: "setup@example.ca" });
    const intent = await stripe.setupIntents.create({ customer: customer.id, allowed_payment_method_types: ["card"], usage: "off_session" });
    expect(intent).toMatchObject({ object: "setup_intent", status: "requires_payment_method", customer: customer.id, usage: "off_session" });
    const confirmed = await stripe.setupIntents.confirm(intent.id, { payment_method: "pm_card_visa" });
    expect(confirmed.status).toBe("succeeded");
    const pm = await stripe.paymentMethods.retrieve(String(confirmed.payment_method));
    expect(pm.customer).toBe(customer.id);
    const direct = await stripe.setupIntents.create({ customer: customer.id, payment_method: "pm_card_mastercard", confirm: true });
    expect((await stripe.setupIntents.retrieve(direct.id)).status).toBe("succeeded");
  });
});

describe("hosted checkout in setup mode", () => {
  it("saves the card typed on the page, delivers the webhooks, then redirects to success_url", async () => {
    const customer = await stripe.customers.create({ name: "Béatrice Côté", email: "bea@example.ca" });
    const session = await stripe.checkout.sessions.create({
      mode: "setup",
      customer: customer.id,
      currency: "cad",
      allowed_payment_method_types: ["card"],
      success_url: "https://billing.example/portal/cards?session_id={CHECKOUT_SESSION_ID}",
      cancel_url: "https://billing.example/portal/cards",
      metadata: { nexa_customer_id: "c2" },
    });
    expect(session).toMatchObject({ object: "checkout.session", mode: "setup", status: "open", customer: customer.id, metadata: { nexa_customer_id: "c2" } });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${server.baseUrl}/checkout/${session.id}`);

    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const text of ['<label for="card_number">Card number</label>', '<label for="expiry">Expiry (MM / YY)</label>', '<label for="cvc">CVC</label>', ">Save card</button>", '<a href="https://billing.example/portal/cards">Cancel</a>']) {
      expect(html).toContain(text);
    }

    const submit = (card_number: string, expiry = "12 / 34", cvc = "123") =>
      fetch(session.url!, { method: "POST", body: new URLSearchParams({ card_number, expiry, cvc }), redirect: "manual" });

    const invalid = await submit("4242 4242 4242 4241");
    expect(invalid.status).toBe(400);
    const invalidHtml = await invalid.text();
    expect(invalidHtml).toContain("Your card number is invalid.");
    expect(invalidHtml).toContain('aria-invalid="true"');
    const expired = await submit("4242 4242 4242 4242", "01 / 20");
    expect(await expired.text()).toContain("Your card&#39;s expiration date is in the past.");
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");

    const saved = await submit("4242 4242 4242 4242");
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`https://billing.example/portal/cards?session_id=${session.id}`);
    // The webhooks were delivered (and verified) before the redirect.
    const setupIntentId = String(session.setup_intent);
    expect(eventsFor(setupIntentId)).toEqual(["setup_intent.succeeded"]);
    expect(eventsFor(session.id)).toEqual(["checkout.session.completed"]);
    const types = receiver.verified.map((e) => e.type);
    expect(types.lastIndexOf("setup_intent.succeeded")).toBeLessThan(types.lastIndexOf("checkout.session.completed"));

    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ["setup_intent.payment_method"] });
    expect(completed).toMatchObject({ status: "complete", url: null });
    const setupIntent = completed.setup_intent as Stripe.SetupIntent;
    expect(setupIntent).toMatchObject({ id: setupIntentId, status: "succeeded", customer: customer.id });
    const pm = setupIntent.payment_method as Stripe.PaymentMethod;
    expect(pm).toMatchObject({ customer: customer.id, card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2034 } });

    expect((await fetch(session.url!)).status).toBe(410);
  });

  it("saves cards whose later charges decline, as Stripe's 4000 0000 0000 0341 does", async () => {
    const customer = await stripe.customers.create({ name: "Declines later" });
    const session = await stripe.checkout.sessions.create({ mode: "setup", customer: customer.id, currency: "cad", success_url: "https://billing.example/ok", cancel_url: "https://billing.example/no" });
    const saved = await fetch(session.url!, { method: "POST", body: new URLSearchParams({ card_number: "4000000000000341", expiry: "12/34", cvc: "123" }), redirect: "manual" });
    expect(saved.status).toBe(303);
    const completed = await stripe.checkout.sessions.retrieve(session.id, { expand: ["setup_intent"] });
    const pmId = String((completed.setup_intent as Stripe.SetupIntent).payment_method);
    const error = await cardError(chargeCard(customer.id, pmId));
    expect(error.decline_code).toBe("generic_decline");
  });
});

describe("payment intents", () => {
  it("charges a saved card, replays an idempotent retry and refuses the key with other parameters", async () => {
    const { customer, pm } = await customerWithCard();
    const create = (amount: number) =>
      stripe.paymentIntents.create(
        { amount, currency: "cad", customer: customer.id, payment_method: pm.id, confirm: true, off_session: true, allowed_payment_method_types: ["card"], description: "INV-2026-000001", metadata: { invoice_id: "inv_1" } },
        { idempotencyKey: `invoice-inv_1-attempt-1-${customer.id}` },
      );
    const intent = await create(2599);
    expect(intent).toMatchObject({ object: "payment_intent", status: "succeeded", amount: 2599, amount_received: 2599, currency: "cad", customer: customer.id, payment_method: pm.id, metadata: { invoice_id: "inv_1" } });
    expect(intent.id).toMatch(/^pi_/);

    const replay = await create(2599);
    expect(replay.id).toBe(intent.id);
    expect(replay.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(server.requests.filter((r) => r.idempotencyKey === `invoice-inv_1-attempt-1-${customer.id}`).map((r) => r.replayed)).toEqual([false, true]);

    await expect(create(3000)).rejects.toMatchObject({ type: "StripeIdempotencyError", statusCode: 400 });
    expect(server.paymentIntents().filter((p) => p.customer === customer.id)).toHaveLength(1);

    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({ object: "charge", amount: 2599, amount_refunded: 0, refunded: false, status: "succeeded", payment_intent: intent.id });
    expect(charge.payment_method_details?.card).toMatchObject({ brand: "visa", last4: "4242" });
    const withCharge = await stripe.paymentIntents.retrieve(intent.id, { expand: ["latest_charge"] });
    expect((withCharge.latest_charge as Stripe.Charge).id).toBe(charge.id);

    await server.webhooksIdle();
    expect(eventsFor(intent.id)).toEqual(["payment_intent.created", "payment_intent.succeeded"]);
    expect(eventsFor(charge.id)).toEqual(["charge.succeeded"]);
    const succeeded = receiver.verified.find((e) => e.type === "payment_intent.succeeded" && (e.data.object as Stripe.PaymentIntent).id === intent.id)!;
    expect(succeeded.request).toMatchObject({ idempotency_key: `invoice-inv_1-attempt-1-${customer.id}` });
  });

  it("answers a decline with 402 card_error carrying the payment intent, and sends payment_intent.payment_failed", async () => {
    const { customer, pm } = await customerWithCard("pm_card_chargeDeclined");
    const error = await cardError(chargeCard(customer.id, pm.id));
    expect(error).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." });
    const intent = error.payment_intent!;
    expect(intent).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "card_declined", decline_code: "generic_decline", type: "card_error" } });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("requires_payment_method");

    const poor = await customerWithCard("pm_card_chargeDeclinedInsufficientFunds");
    expect((await cardError(chargeCard(poor.customer.id, poor.pm.id))).decline_code).toBe("insufficient_funds");

    await server.webhooksIdle();
    expect(eventsFor(intent.id)).toEqual(["payment_intent.created", "payment_intent.payment_failed"]);

    // Retrying the same intent with another card succeeds.
    const good = await stripe.paymentMethods.attach("pm_card_visa", { customer: customer.id });
    expect((await stripe.paymentIntents.confirm(intent.id, { payment_method: good.id, off_session: true })).status).toBe("succeeded");
  });

  it("follows setCardBehaviour from the next charge on", async () => {
    const { customer, pm } = await customerWithCard();
    expect((await chargeCard(customer.id, pm.id)).status).toBe("succeeded");
    server.setCardBehaviour(pm.id, "decline");
    expect((await cardError(chargeCard(customer.id, pm.id))).decline_code).toBe("generic_decline");
    server.setCardBehaviour(pm.id, "insufficient_funds");
    expect((await cardError(chargeCard(customer.id, pm.id))).decline_code).toBe("insufficient_funds");
    server.setCardBehaviour(pm.id, "succeed");
    expect((await chargeCard(customer.id, pm.id)).status).toBe("succeeded");
    expect(() => server.setCardBehaviour("pm_unknown", "decline")).toThrow();
  });

  it("refuses a missing payment method and another customer's card with 400, and cancels", async () => {
    const { customer, pm } = await customerWithCard();
    const other = await stripe.customers.create({ name: "Someone else" });
    await expect(stripe.paymentIntents.create({ amount: 1000, currency: "cad", customer: customer.id, confirm: true })).rejects.toMatchObject({ statusCode: 400, type: "StripeInvalidRequestError" });
    await expect(chargeCard(other.id, pm.id)).rejects.toMatchObject({ statusCode: 400, param: "payment_method" });
    await expect(stripe.paymentIntents.create({ amount: 10, currency: "cad" })).rejects.toMatchObject({ statusCode: 400, code: "amount_too_small" });
    const open = await stripe.paymentIntents.create({ amount: 1000, currency: "cad", customer: customer.id, payment_method: pm.id });
    expect(open.status).toBe("requires_confirmation");
    expect((await stripe.paymentIntents.cancel(open.id)).status).toBe("canceled");
    await expect(stripe.paymentIntents.confirm(open.id)).rejects.toMatchObject({ statusCode: 400, code: "payment_intent_unexpected_state" });
  });
});

describe("refunds", () => {
  it("refunds part, refuses more than what is left, then refunds the rest", async () => {
    const { customer, pm } = await customerWithCard();
    const intent = await chargeCard(customer.id, pm.id, 1000);
    const partial = await stripe.refunds.create({ payment_intent: intent.id, amount: 300, reason: "requested_by_customer", metadata: { credit_note_id: "cn_1" } });
    expect(partial).toMatchObject({ object: "refund", status: "succeeded", amount: 300, currency: "cad", payment_intent: intent.id, charge: intent.latest_charge, metadata: { credit_note_id: "cn_1" } });
    expect(partial.id).toMatch(/^re_/);
    expect(await stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({ amount_refunded: 300, refunded: false });

    await expect(stripe.refunds.create({ payment_intent: intent.id, amount: 800 })).rejects.toMatchObject({ statusCode: 400, code: "amount_too_large", param: "amount" });

    const rest = await stripe.refunds.create({ charge: String(intent.latest_charge) }, { idempotencyKey: `refund-rest-${intent.id}` });
    expect(rest.amount).toBe(700);
    const replayed = await stripe.refunds.create({ charge: String(intent.latest_charge) }, { idempotencyKey: `refund-rest-${intent.id}` });
    expect(replayed.id).toBe(rest.id);
    expect(await stripe.charges.retrieve(String(intent.latest_charge))).toMatchObject({ amount_refunded: 1000, refunded: true });
    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({ statusCode: 400, code: "charge_already_refunded" });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge), { expand: ["refunds"] });
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([rest.id, partial.id]);
    expect((await stripe.refunds.list({ payment_intent: intent.id })).data.map((r) => r.amount)).toEqual([700, 300]);

    await server.webhooksIdle();
    const refunded = receiver.verified.filter((e) => e.type === "charge.refunded" && (e.data.object as Stripe.Charge).id === intent.latest_charge);
    expect(refunded.map((e) => (e.data.object as Stripe.Charge).amount_refunded)).toEqual([300, 1000]);
    expect(eventsFor(partial.id)).toEqual(["refund.created"]);
    expect(eventsFor(rest.id)).toEqual(["refund.created"]);
  });
});

describe("webhooks", () => {
  it("signs events so constructEvent verifies them, and a tampered body fails", async () => {
    const event = await server.sendEvent("invoice.custom_test", { id: "obj_1", object: "test_object", amount: 5 });
    expect(event).toMatchObject({ object: "event", type: "invoice.custom_test", livemode: false, data: { object: { id: "obj_1", amount: 5 } } });
    expect(event.id).toMatch(/^evt_/);
    const received = receiver.verified.find((e) => e.id === event.id);
    expect(received).toMatchObject({ type: "invoice.custom_test", api_version: expect.any(String), created: expect.any(Number) });
    expect(await stripe.events.retrieve(event.id)).toMatchObject({ id: event.id, type: "invoice.custom_test" });
    expect((await stripe.events.list({ type: "invoice.custom_test" })).data.map((e) => e.id)).toContain(event.id);

    expect(receiver.rejected).toEqual([]);

    const header = stripe.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: server.webhookSecret });
    expect(stripe.webhooks.constructEvent(JSON.stringify(event), header, server.webhookSecret).id).toBe(event.id);
    const tampered = JSON.stringify({ ...event, type: "tampered" });
    expect(() => stripe.webhooks.constructEvent(tampered, header, server.webhookSecret)).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it("retries a failed delivery and records each attempt's status", async () => {
    receiver.failNext = 2;
    const event = await server.sendEvent("test.retried", { id: "obj_retry", object: "test_object" });
    const sent = server.events().find((s) => s.event.id === event.id)!;
    expect(sent.deliveries.map((d) => d.statusCode)).toEqual([500, 500, 200]);
    expect(sent).toMatchObject({ delivered: true, settled: true });
    expect(receiver.verified.filter((e) => e.id === event.id)).toHaveLength(1);

    receiver.failNext = 5;
    const givenUp = await server.sendEvent("test.given_up", { id: "obj_given_up", object: "test_object" });
    const failed = server.events().find((s) => s.event.id === givenUp.id)!;
    expect(failed.deliveries.map((d) => d.statusCode)).toEqual([500, 500, 500]);
    expect(failed.delivered).toBe(false);
  });

  it("sends events in creation order", async () => {
    const first = server.sendEvent("test.order", { id: "order_1", object: "test_object" });
    const second = server.sendEvent("test.order", { id: "order_2", object: "test_object" });
    await Promise.all([first, second]);
    const ids = receiver.verified.filter((e) => (e.type as string) === "test.order").map((e) => (e.data.object as { id: string }).id);
    expect(ids).toEqual(["order_1", "order_2"]);
  });
});

describe("form bodies", () => {
  it("parses Stripe's bracket notation, indexed and empty-bracket arrays alike", () => {
    expect(parseStripeForm("metadata[invoice_id]=inv_1&metadata[0]=x&expand[]=a&expand[]=b&items[0][price]=p&items[1][price]=q&invoice_settings[default_payment_method]=pm_1")).toEqual({
      metadata: { invoice_id: "inv_1", "0": "x" },
      expand: ["a", "b"],
      items: [{ price: "p" }, { price: "q" }],
      invoice_settings: { default_payment_method: "pm_1" },
    });
  });

  it("refuses payment_method_types, removed in this API version, as an unknown parameter (raw form body)", async () => {
    const { customer, pm } = await customerWithCard();
    const body = new URLSearchParams({ amount: "1500", currency: "CAD", customer: customer.id, payment_method: pm.id, confirm: "true", off_session: "true", "allowed_payment_method_types[]": "card", "metadata[invoice_id]": "inv_raw", "expand[]": "latest_charge" });
    const response = await fetch(`${server.baseUrl}/v1/payment_intents`, { method: "POST", headers: { Authorization: `Bearer ${server.secretKey}`, "Content-Type": "application/x-www-form-urlencoded" }, body });
    expect(response.status).toBe(200);
    const intent = await response.json();
    expect(intent).toMatchObject({ status: "succeeded", currency: "cad", payment_method_types: ["card"], metadata: { invoice_id: "inv_raw" }, latest_charge: { object: "charge", amount: 1500 } });
    const removed = await fetch(`${server.baseUrl}/v1/payment_intents`, { method: "POST", headers: { Authorization: `Bearer ${server.secretKey}` }, body: new URLSearchParams({ amount: "1500", currency: "cad", "payment_method_types[]": "card" }) });
    expect(removed.status).toBe(400);
    expect(await removed.json()).toMatchObject({ error: { type: "invalid_request_error", code: "parameter_unknown", param: "payment_method_types" } });
  });
});

describe("errors", () => {
  it("answers unknown paths with 404 resource_missing and bad keys with 401", async () => {
    const response = await fetch(`${server.baseUrl}/v1/subscriptions_nope`, { headers: { Authorization: `Bearer ${server.secretKey}` } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error", code: "resource_missing" } });
    expect((await fetch(`${server.baseUrl}/nothing/here`, { method: "PUT" })).status).toBe(404);

    const liveKey = new Stripe("sk_live_not_accepted", { host: server.host, port: server.port, protocol: "http", maxNetworkRetries: 0 });
    await expect(liveKey.customers.create({})).rejects.toMatchObject({ type: "StripeAuthenticationError", statusCode: 401 });
    const noKey = await fetch(`${server.baseUrl}/v1/customers`, { method: "POST" });
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.type).toBe("invalid_request_error");
  });
});

describe("as strict as Stripe", () => {
  const sdk = (options: Partial<Stripe.StripeConfig> = {}, key = server.secretKey) => new Stripe(key, { host: server.host, port: server.port, protocol: "http", maxNetworkRetries: 0, ...options });

  it("keeps every answer under its idempotency key for 24 hours, 500s included, then forgets it", async () => {
    const { customer, pm } = await customerWithCard();
    server.failNext("POST", "/v1/payment_intents");
    const params: Stripe.PaymentIntentCreateParams = { amount: 1200, currency: "cad", customer: customer.id, payment_method: pm.id, confirm: true, off_session: true, allowed_payment_method_types: ["card"] };
    await expect(stripe.paymentIntents.create(params, { idempotencyKey: "strict-500" })).rejects.toMatchObject({ type: "StripeAPIError", statusCode: 500 });
    // The same key answers the same 500 (nothing was charged, and retrying the key cannot charge either).
    await expect(stripe.paymentIntents.create(params, { idempotencyKey: "strict-500" })).rejects.toMatchObject({ type: "StripeAPIError", statusCode: 500 });
    expect(server.paymentIntents().filter((pi) => pi.amount === 1200 && pi.customer === customer.id)).toHaveLength(0);
    // 24 hours later the key is forgotten: the same request runs (and charges) for real.
    server.advanceClock(24 * 60 * 60 * 1000);
    expect((await stripe.paymentIntents.create(params, { idempotencyKey: "strict-500" })).status).toBe("succeeded");
  });

  it("answers 409 idempotency_key_in_use to a concurrent request with the same key; the SDK's retry then replays the answer", async () => {
    const { customer, pm } = await customerWithCard();
    const params: Stripe.PaymentIntentCreateParams = { amount: 1300, currency: "cad", customer: customer.id, payment_method: pm.id, confirm: true, off_session: true, allowed_payment_method_types: ["card"] };
    server.setLatency(150);
    try {
      const [first, second] = await Promise.allSettled([
        stripe.paymentIntents.create(params, { idempotencyKey: "strict-409" }),
        new Promise((r) => setTimeout(r, 30)).then(() => stripe.paymentIntents.create(params, { idempotencyKey: "strict-409" })),
      ]);
      expect(first.status).toBe("fulfilled");
      expect(second).toMatchObject({ status: "rejected", reason: { statusCode: 409, code: "idempotency_key_in_use" } });
      const retrying = sdk({ maxNetworkRetries: 2 });
      const [a, b] = await Promise.all([
        retrying.paymentIntents.create({ ...params, amount: 1301 }, { idempotencyKey: "strict-409b" }),
        new Promise((r) => setTimeout(r, 30)).then(() => retrying.paymentIntents.create({ ...params, amount: 1301 }, { idempotencyKey: "strict-409b" })),
      ]);
      expect(b.id).toBe(a.id);
    } finally {
      server.setLatency(0);
    }
    expect(server.paymentIntents().filter((pi) => pi.customer === customer.id)).toHaveLength(2);
  });

  it("refuses a PaymentIntent that does not restrict its payment methods without a return_url (Dashboard methods may redirect)", async () => {
    const { customer, pm } = await customerWithCard();
    await expect(stripe.paymentIntents.create({ amount: 1000, currency: "cad", customer: customer.id, payment_method: pm.id, confirm: true, off_session: true })).rejects.toMatchObject({ statusCode: 400, param: "return_url" });
    const open = await stripe.paymentIntents.create({ amount: 1000, currency: "cad", customer: customer.id });
    expect(open.payment_method_types).toEqual(["card", "link", "acss_debit"]);
  });

  it("off-session, a card that needs authentication is a 402 authentication_required, and the intent waits for a payment method", async () => {
    const { customer, pm } = await customerWithCard("pm_card_authenticationRequired");
    const error = await cardError(chargeCard(customer.id, pm.id));
    expect(error).toMatchObject({ statusCode: 402, code: "authentication_required", decline_code: "authentication_required" });
    expect(error.payment_intent).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "authentication_required" } });
  });

  it("on-session, a card that needs authentication asks for it (requires_action) and the 3D Secure page completes or fails it", async () => {
    const { customer, pm } = await customerWithCard("pm_card_authenticationRequired");
    const onSession = (amount: number) => stripe.paymentIntents.create({ amount, currency: "cad", customer: customer.id, payment_method: pm.id, confirm: true, allowed_payment_method_types: ["card"], return_url: "https://billing.example/back?invoice=1" });
    const intent = await onSession(2500);
    expect(intent.status).toBe("requires_action");
    expect(intent.next_action).toMatchObject({ type: "redirect_to_url", redirect_to_url: { return_url: "https://billing.example/back?invoice=1" } });
    const page = await fetch(intent.next_action!.redirect_to_url!.url!);
    expect(await page.text()).toContain("Complete authentication");
    const done = await fetch(intent.next_action!.redirect_to_url!.url!, { method: "POST", redirect: "manual", body: new URLSearchParams({ outcome: "complete" }) });
    expect(done.status).toBe(303);
    const back = new URL(done.headers.get("location")!);
    expect(back.origin + back.pathname).toBe("https://billing.example/back");
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ invoice: "1", payment_intent: intent.id, redirect_status: "succeeded" });
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
    expect(eventsFor(intent.id)).toEqual(expect.arrayContaining(["payment_intent.requires_action", "payment_intent.succeeded"]));

    const failed = await onSession(2600);
    await fetch(failed.next_action!.redirect_to_url!.url!, { method: "POST", redirect: "manual", body: new URLSearchParams({ outcome: "fail" }) });
    expect(await stripe.paymentIntents.retrieve(failed.id)).toMatchObject({ status: "requires_payment_method", last_payment_error: { code: "payment_intent_authentication_failure" } });
  });

  it("declines lost and stolen cards with advice_code do_not_try_again, and insufficient funds with try_again_later", async () => {
    for (const [token, decline, advice] of [["pm_card_chargeDeclinedLostCard", "lost_card", "do_not_try_again"], ["pm_card_chargeDeclinedStolenCard", "stolen_card", "do_not_try_again"], ["pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "try_again_later"]] as const) {
      const { customer, pm } = await customerWithCard(token);
      const error = await cardError(chargeCard(customer.id, pm.id));
      expect(error).toMatchObject({ decline_code: decline, advice_code: advice });
      expect(error.payment_intent?.last_payment_error).toMatchObject({ advice_code: advice });
    }
  });

  it("leaves a payment processing until it settles, with payment_intent.processing then .succeeded", async () => {
    const { customer, pm } = await customerWithCard();
    server.setCardBehaviour(pm.id, "processing");
    const intent = await chargeCard(customer.id, pm.id);
    expect(intent.status).toBe("processing");
    const settled = await fetch(`${server.baseUrl}/_test/payment_intents/${intent.id}/settle`, { method: "POST", body: JSON.stringify({ outcome: "succeeded" }) });
    expect(settled.status).toBe(200);
    expect((await stripe.paymentIntents.retrieve(intent.id)).status).toBe("succeeded");
    await server.webhooksIdle();
    expect(eventsFor(intent.id)).toEqual(expect.arrayContaining(["payment_intent.processing", "payment_intent.succeeded"]));
  });

  it("fails the refunds of the refund-fail card a little later, with refund.failed", async () => {
    const { customer, pm } = await customerWithCard("pm_card_refundFail");
    const intent = await chargeCard(customer.id, pm.id, 4000);
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1500 });
    expect(refund.status).toBe("succeeded");
    await new Promise((r) => setTimeout(r, 500));
    await server.webhooksIdle();
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ status: "failed", failure_reason: "expired_or_canceled_card" });
    expect((await stripe.charges.retrieve(intent.latest_charge as string)).amount_refunded).toBe(0);
    expect(eventsFor(refund.id)).toEqual(expect.arrayContaining(["refund.created", "refund.updated", "refund.failed"]));
  });

  it("opens a dispute on the dispute card's charges and closes it when told", async () => {
    const { customer, pm } = await customerWithCard("pm_card_createDispute");
    const intent = await chargeCard(customer.id, pm.id, 3000);
    await server.webhooksIdle();
    const created = receiver.verified.find((e) => e.type === "charge.dispute.created" && (e.data.object as Stripe.Dispute).payment_intent === intent.id)!;
    expect(created.data.object).toMatchObject({ object: "dispute", amount: 3000, status: "needs_response", charge: intent.latest_charge });
    const closed = await fetch(`${server.baseUrl}/_test/disputes/${(created.data.object as Stripe.Dispute).id}/close`, { method: "POST", body: JSON.stringify({ outcome: "lost" }) });
    expect(await closed.json()).toMatchObject({ status: "lost" });
  });

  it("refuses to charge a card once it was detached", async () => {
    const { customer, pm } = await customerWithCard();
    await stripe.paymentMethods.detach(pm.id);
    await expect(chargeCard(customer.id, pm.id)).rejects.toMatchObject({ statusCode: 400, code: "payment_method_unexpected_state", param: "payment_method" });
  });

  it("delivers events out of order and twice when told to", async () => {
    server.setDeliveryChaos({ outOfOrder: true, twice: true });
    try {
      const { customer, pm } = await customerWithCard();
      const intent = await chargeCard(customer.id, pm.id, 1700);
      await server.webhooksIdle();
      const seen = eventsFor(intent.id);
      expect(seen.filter((t) => t === "payment_intent.succeeded")).toHaveLength(2);
      expect(seen.indexOf("payment_intent.succeeded")).toBeLessThan(seen.indexOf("payment_intent.created"));
    } finally {
      server.setDeliveryChaos({ outOfOrder: false, twice: false });
    }
  });

  it("answers 401 to a revoked key and 403 to a read-only restricted key that writes", async () => {
    await fetch(`${server.baseUrl}/_test/keys/revoke`, { method: "POST", body: JSON.stringify({ key: "sk_test_revoked_key_1" }) });
    await expect(sdk({}, "sk_test_revoked_key_1").customers.create({})).rejects.toMatchObject({ type: "StripeAuthenticationError", statusCode: 401 });
    const readOnly = sdk({}, "rk_test_readonly_nexa");
    await expect(readOnly.customers.create({})).rejects.toMatchObject({ type: "StripePermissionError", statusCode: 403 });
    await expect(readOnly.paymentIntents.list({ limit: 1 })).resolves.toMatchObject({ object: "list" });
  });
});
