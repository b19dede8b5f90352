import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { recordWebhookEvent } from "@/lib/webhooks/outbound-events";
import { createTestService, lagoFailure, testDb, type TestService } from "../support/api-fixture";
import { waitFor, WebhookReceiver } from "../support/webhook-receiver";
import { openWebhookSecret } from "@/lib/services/webhook-secrets";

// October 2026 in Toronto: monthly plan billed in arrears, closed at Nov 1.
const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

/** A service whose app listens at a fresh receiver, its endpoint registered through the API like an app would. */
async function listeningService(mode: "live" | "shadow" = "live", eventTypes: string[] | null = null) {
  const svc = await createTestService(mode);
  const receiver = new WebhookReceiver("");
  receivers.push(receiver);
  const url = await receiver.reservePort();
  const created = await svc.lago.webhookEndpoints.createWebhookEndpoint({ webhook_endpoint: { webhook_url: url, signature_algo: "hmac", event_types: eventTypes } });
  const secret = openWebhookSecret((await testDb().service.findUniqueOrThrow({ where: { id: svc.id } })).webhookSigningSecret!);
  Object.assign(receiver, { secret });
  await receiver.start();
  return { svc, receiver, endpoint: created.data.webhook_endpoint };
}

async function eventsOf(serviceId: string) {
  return testDb().webhookEvent.findMany({ where: { serviceId }, orderBy: { sequence: "asc" } });
}

async function planFor(svc: TestService, amountCents = 5000) {
  await svc.lago.plans.createPlan({ plan: { name: "Standard", code: `std_${svc.code}`, interval: "monthly", amount_cents: amountCents, amount_currency: "CAD", pay_in_advance: false } });
  return `std_${svc.code}`;
}

beforeAll(async () => {
  await testDb().companyProfile.upsert({
    where: { id: 1 },
    update: {},
    create: { id: 1, legalName: "Nexa Technologies Inc.", addressLine1: "1 Yonge St", city: "Toronto", province: "ON", postalCode: "M5E 1E5", gstHstNumber: "123456789 RT0001" },
  });
});

describe("webhook_endpoints API (Lago)", () => {
  it("creates, lists, reads, updates and deletes the calling service's endpoints", async () => {
    const svc = await createTestService("live");
    const created = (await svc.lago.webhookEndpoints.createWebhookEndpoint({
      webhook_endpoint: { webhook_url: "https://app.example.com/hooks", signature_algo: "hmac", event_types: ["Invoice.Created", "customer.updated"] },
    })).data.webhook_endpoint;
    expect(created).toMatchObject({
      lago_organization_id: svc.id, webhook_url: "https://app.example.com/hooks", signature_algo: "hmac", event_types: ["invoice.created", "customer.updated"],
    });
    // The service gets a signing secret with its first endpoint.
    // Stored sealed (README "Security model → Encryption at rest").
    expect(openWebhookSecret((await testDb().service.findUniqueOrThrow({ where: { id: svc.id } })).webhookSigningSecret!)).toMatch(/^whsec_/);

    const list = (await svc.lago.webhookEndpoints.findAllWebhookEndpoints({})).data;
    expect(list.webhook_endpoints.map((e: { lago_id: string }) => e.lago_id)).toEqual([created.lago_id]);
    expect(list.meta).toMatchObject({ current_page: 1, total_count: 1 });
    expect((await svc.lago.webhookEndpoints.findWebhookEndpoint(created.lago_id)).data.webhook_endpoint.webhook_url).toBe("https://app.example.com/hooks");

    const updated = (await svc.lago.webhookEndpoints.updateWebhookEndpoint(created.lago_id, { webhook_endpoint: { webhook_url: "https://app.example.com/v2", event_types: null } })).data.webhook_endpoint;
    expect(updated).toMatchObject({ webhook_url: "https://app.example.com/v2", event_types: null });

    // Another service cannot see or touch it.
    const other = await createTestService("live");
    expect((await lagoFailure(other.lago.webhookEndpoints.findWebhookEndpoint(created.lago_id))).body).toMatchObject({ status: 404, code: "webhook_endpoint_not_found" });
    expect((await lagoFailure(other.lago.webhookEndpoints.destroyWebhookEndpoint(created.lago_id))).status).toBe(404);

    expect((await svc.lago.webhookEndpoints.destroyWebhookEndpoint(created.lago_id)).data.webhook_endpoint.lago_id).toBe(created.lago_id);
    expect((await lagoFailure(svc.lago.webhookEndpoints.findWebhookEndpoint(created.lago_id))).status).toBe(404);
    expect((await lagoFailure(svc.lago.webhookEndpoints.findWebhookEndpoint("not-a-uuid"))).status).toBe(404);
  });

  it("refuses bad input with Lago's 422s and caps a service at 10 endpoints", async () => {
    const svc = await createTestService("live");
    const create = (body: Record<string, unknown>) => svc.lago.webhookEndpoints.createWebhookEndpoint({ webhook_endpoint: body });
    expect((await lagoFailure(create({ webhook_url: "https://a.example.com/h", event_types: ["invoice.created", "invoice.exploded"] }))).body)
      .toMatchObject({ status: 422, code: "validation_errors", error_details: { event_types: ["contains invalid types: invoice.exploded"] } });
    expect((await lagoFailure(create({ webhook_url: "not a url" }))).body).toMatchObject({ status: 422, error_details: { webhook_url: ["url_is_invalid"] } });
    expect((await lagoFailure(create({ webhook_url: "http://a.example.com/h" }))).body).toMatchObject({ status: 422, error_details: { webhook_url: ["https_required"] } });
    expect((await lagoFailure(create({ name: "no url" }))).body).toMatchObject({ status: 422, error_details: { webhook_url: ["value_is_mandatory"] } });
    expect((await lagoFailure(create({ webhook_url: "https://a.example.com/h", signature_algo: "jwt" }))).body)
      .toMatchObject({ status: 422, error_details: { signature_algo: ["jwt_not_supported"] } });
    expect((await lagoFailure(svc.lago.webhookEndpoints.createWebhookEndpoint({}))).status).toBe(400);

    // Lago's other event names are accepted (apps configured for Lago), and an omitted algorithm means hmac.
    expect((await create({ webhook_url: "https://a.example.com/0", event_types: ["wallet.created"] })).data.webhook_endpoint.signature_algo).toBe("hmac");
    expect((await lagoFailure(create({ webhook_url: "https://a.example.com/0" }))).body).toMatchObject({ status: 422, error_details: { webhook_url: ["value_already_exist"] } });
    await Promise.all(Array.from({ length: 9 }, (_, i) => create({ webhook_url: `https://a.example.com/${i + 1}` })));
    expect((await lagoFailure(create({ webhook_url: "https://a.example.com/11" }))).body)
      .toMatchObject({ status: 422, error_details: { base: ["webhook_endpoints_limit_reached"] } });
    expect(await testDb().webhookEndpoint.count({ where: { serviceId: svc.id } })).toBe(10);
  });
});

describe("lifecycle events", () => {
  it("announces customers, subscriptions, invoices, credit notes and voids, in order, delivered signed", async () => {
    const { svc, receiver } = await listeningService();
    const plan = await planFor(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "cus-1", name: "Toronto Widgets Inc.", state: "ON", country: "CA", timezone: "America/Toronto" } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "cus-1", email: "ap@widgets.example" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cus-1", plan_code: plan, external_id: "sub-1", subscription_at: OCT_1 } });
    expect((await svc.call("/subscriptions/sub-1", { method: "PUT", json: { subscription: { name: "Main plan" } } })).status).toBe(200);

    await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
    const invoice = await testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id }, include: { lines: true } });
    expect(invoice.status).toBe("finalized");
    const note = await svc.call("/credit_notes", { method: "POST", json: { credit_note: { invoice_id: invoice.id, reason: "other", credit_amount_cents: 1130, items: [{ fee_id: invoice.lines[0].id, amount_cents: 1000 }] } } });
    expect(note.status).toBe(200);
    expect((await svc.call(`/invoices/${invoice.id}/void`, { method: "POST" })).status).toBe(200);
    expect((await svc.call("/subscriptions/sub-1", { method: "DELETE" })).status).toBe(200);
    // The termination bills November's used days at once (through the job queue): its invoice's events follow.
    await waitFor(async () => (await eventsOf(svc.id)).filter((e) => e.eventType === "invoice.finalized").length === 2);
    // Another module's event about the invoice, with a key of its own choosing, still queues behind the customer's.
    await recordWebhookEvent(testDb(), { serviceId: svc.id, type: "invoice.payment_status_updated", objectType: "invoice", objectId: invoice.id, orderingKey: `invoice:${invoice.id}`, object: { lago_id: invoice.id } });

    const expected = [
      "customer.created", "customer.updated", "subscription.started", "subscription.updated",
      "invoice.created", "invoice.finalized", "credit_note.created", "invoice.voided", "subscription.terminated",
      "invoice.created", "invoice.finalized", "invoice.payment_status_updated",
    ];
    const events = await eventsOf(svc.id);
    expect(events.map((e) => e.eventType)).toEqual(expected);
    // One ordering key for everything about the customer.
    expect(new Set(events.map((e) => e.orderingKey))).toEqual(new Set([`customer:${invoice.customerId}`]));

    await waitFor(() => receiver.accepted().length >= expected.length, { timeoutMs: 20_000 });
    const got = receiver.accepted();
    expect(got.map((r) => r.type)).toEqual(expected);
    expect(got.map((r) => r.eventId)).toEqual(events.map((e) => e.id));
    expect(got.every((r) => r.nexaSignatureValid && r.lagoSignatureValid)).toBe(true);

    // The first of each type (the October invoice's, not the termination invoice's).
    const byType = Object.fromEntries([...got].reverse().map((r) => [r.type, r.body]));
    expect(byType["customer.created"]).toMatchObject({ object_type: "customer", organization_id: svc.id, customer: { external_id: "cus-1", legal_name: "Toronto Widgets Inc." } });
    expect(byType["customer.updated"]).toMatchObject({ customer: { external_id: "cus-1", email: "ap@widgets.example" } });
    expect(byType["subscription.started"]).toMatchObject({ object_type: "subscription", subscription: { external_id: "sub-1", status: "active", external_customer_id: "cus-1", plan: { code: plan } } });
    expect(byType["subscription.updated"]).toMatchObject({ subscription: { name: "Main plan" } });
    expect(byType["invoice.created"]).toMatchObject({
      object_type: "invoice", invoice: { lago_id: invoice.id, status: "finalized", number: invoice.number, total_amount_cents: 5650, customer: { external_id: "cus-1" } },
    });
    expect((byType["invoice.created"].invoice as { fees: unknown[] }).fees).toHaveLength(1);
    expect(byType["credit_note.created"]).toMatchObject({ object_type: "credit_note", credit_note: { lago_invoice_id: invoice.id, sub_total_excluding_taxes_amount_cents: 1000 } });
    expect(byType["invoice.voided"]).toMatchObject({ invoice: { lago_id: invoice.id, status: "voided" } });
    expect(byType["subscription.terminated"]).toMatchObject({ subscription: { external_id: "sub-1", status: "terminated" } });
  });

  it("sends a customer change to every service linked to the customer, each with its own external id", async () => {
    const a = await listeningService("live", ["customer.updated", "customer.created"]);
    const b = await listeningService("live", ["customer.updated"]);
    const created = (await a.svc.lago.customers.createCustomer({ customer: { external_id: "a-cus", name: "Shared Co." } })).data.customer;
    const consent = (await (await a.svc.call("/customers/a-cus/link_tokens", { method: "POST" })).json()).link_token.token;
    await b.svc.lago.customers.createCustomer({ customer: { external_id: "b-cus", billing_customer_id: created.lago_id, billing_link_token: consent } as never });
    await a.svc.lago.customers.createCustomer({ customer: { external_id: "a-cus", phone: "+1 416 555 0100" } });

    expect((await eventsOf(a.svc.id)).map((e) => e.eventType)).toEqual(["customer.created", "customer.updated"]);
    // b subscribes to updates only: its link's creation is not sent; a's change is, under b's external id.
    const bEvents = await eventsOf(b.svc.id);
    expect(bEvents.map((e) => e.eventType)).toEqual(["customer.updated"]);
    await waitFor(() => b.receiver.accepted().length === 1);
    expect(b.receiver.accepted()[0].body).toMatchObject({ customer: { lago_id: created.lago_id, external_id: "b-cus", phone: "+1 416 555 0100" } });
  });

  it("announces the subscriptions ended by a customer's removal", async () => {
    const { svc } = await listeningService("live", ["subscription.terminated"]);
    const plan = await planFor(svc);
    await svc.lago.customers.createCustomer({ customer: { external_id: "gone-1", name: "Leaving Co.", state: "ON", country: "CA" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "gone-1", plan_code: plan, external_id: "gone-sub", subscription_at: OCT_1 } });
    expect((await svc.call("/customers/gone-1", { method: "DELETE" })).status).toBe(200);
    const events = await eventsOf(svc.id);
    expect(events.map((e) => e.eventType)).toEqual(["subscription.terminated"]);
    expect(events[0].payload).toMatchObject({ external_id: "gone-sub", status: "terminated" });
  });

  it("never announces shadow invoices; services without endpoints record nothing", async () => {
    const shadow = await listeningService("shadow");
    const plan = await planFor(shadow.svc);
    await shadow.svc.lago.customers.createCustomer({ customer: { external_id: "sh-1", name: "Shadow Co.", state: "ON", country: "CA" } });
    await shadow.svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "sh-1", plan_code: plan, external_id: "sh-sub", subscription_at: OCT_1 } });
    await runBillingCycle(testDb(), CLOSE_AT, { serviceId: shadow.svc.id });
    expect(await testDb().invoice.count({ where: { serviceId: shadow.svc.id, shadow: true } })).toBe(1);
    expect((await eventsOf(shadow.svc.id)).map((e) => e.eventType)).toEqual(["customer.created", "subscription.started"]);

    const silent = await createTestService("live");
    const silentPlan = await planFor(silent);
    await silent.lago.customers.createCustomer({ customer: { external_id: "si-1", name: "Quiet Co.", state: "ON", country: "CA" } });
    await silent.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "si-1", plan_code: silentPlan, external_id: "si-sub", subscription_at: OCT_1 } });
    await runBillingCycle(testDb(), CLOSE_AT, { serviceId: silent.id });
    expect(await testDb().invoice.count({ where: { serviceId: silent.id } })).toBe(1);
    expect(await testDb().webhookEvent.count({ where: { serviceId: silent.id } })).toBe(0);
  });

  it("a hanging endpoint neither slows nor blocks a billing run, nor another service's deliveries", async () => {
    const stuck = await listeningService();
    const healthy = await listeningService();
    stuck.receiver.mode = "hang";
    const plan = await planFor(stuck.svc);
    const healthyPlan = await planFor(healthy.svc);
    const customers = 20;
    for (let i = 0; i < customers; i++) {
      await stuck.svc.lago.customers.createCustomer({ customer: { external_id: `h-${i}`, name: `Hang ${i}`, state: "ON", country: "CA" } });
      await stuck.svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: `h-${i}`, plan_code: plan, external_id: `h-sub-${i}`, subscription_at: OCT_1 } });
    }
    await healthy.svc.lago.customers.createCustomer({ customer: { external_id: "ok-1", name: "Fine Co.", state: "ON", country: "CA" } });
    await healthy.svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "ok-1", plan_code: healthyPlan, external_id: "ok-sub", subscription_at: OCT_1 } });
    // The app's worker is now holding requests open on the hanging endpoint.
    await waitFor(() => stuck.receiver.hanging.size > 0);

    const started = Date.now();
    const summary = await runBillingCycle(testDb(), CLOSE_AT, { serviceId: stuck.svc.id });
    const elapsed = Date.now() - started;
    expect(summary.failures).toEqual([]);
    expect(await testDb().invoice.count({ where: { serviceId: stuck.svc.id } })).toBe(customers);
    // The run only queued its events: it took less than two of the endpoint's 3 s timeouts (sending them in line
    // would take 20 of them).
    expect(elapsed).toBeLessThan(3000 * 2);
    expect(stuck.receiver.accepted()).toEqual([]);
    expect(await testDb().webhookDelivery.count({ where: { event: { serviceId: stuck.svc.id, eventType: "invoice.created" } } })).toBe(customers);

    // Meanwhile the other service's app gets its events.
    await runBillingCycle(testDb(), CLOSE_AT, { serviceId: healthy.svc.id });
    await waitFor(() => healthy.receiver.accepted().some((r) => r.type === "invoice.finalized"), { timeoutMs: 10_000 });
    expect(healthy.receiver.accepted().map((r) => r.type)).toEqual(["customer.created", "subscription.started", "invoice.created", "invoice.finalized"]);
  });
});
