import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { resumeSubscription, suspendSubscription } from "@/lib/subscriptions/suspension";
import { createTestService, testDb as db, type TestService } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";
import { WebhookReceiver } from "../support/webhook-receiver";

// Staff suspend and resume subscriptions with a reason: the app is told, usage is refused while suspended, and the
// period close credits the suspended days of the base fee (a suspension for an unpaid invoice is dunning's, not staff's).

const NOV_1 = "2026-11-01T00:00:00Z";
const CLOSE_AT = new Date("2026-12-01T00:05:00Z");
let svc: TestService;
let staffId: string;
const secret = generateWebhookSecret();
const receiver = new WebhookReceiver(secret);
const subs: Record<"resumed" | "open" | "dunning", string> = { resumed: "", open: "", dunning: "" };

beforeAll(async () => {
  svc = await createTestService("live");
  await db().service.update({ where: { id: svc.id }, data: { webhookSigningSecret: secret } });
  await db().webhookEndpoint.create({ data: { serviceId: svc.id, url: await receiver.start(), eventTypes: [] } });
  staffId = await seededStaffId();
  const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "Messages", code: `msg_${svc.code}`, aggregation_type: "count_agg" } })).data.billable_metric;
  await svc.lago.plans.createPlan({
    plan: { name: "Chat", code: `chat_${svc.code}`, interval: "monthly", amount_cents: 3000, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.01" } }] },
  });
  for (const key of Object.keys(subs) as (keyof typeof subs)[]) {
    await svc.lago.customers.createCustomer({ customer: { external_id: `cus-${key}`, legal_name: `Suspension ${key} Inc.`, state: "ON", country: "CA", timezone: "UTC" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: `cus-${key}`, plan_code: `chat_${svc.code}`, external_id: `sub-${key}`, subscription_at: NOV_1 } });
    subs[key] = (await db().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: `sub-${key}` } })).id;
  }
});

afterAll(async () => {
  await receiver.stop();
});

const actor = () => ({ staffId });
const event = (sub: string, id: string) => svc.call("/events", { method: "POST", json: { event: { transaction_id: id, external_subscription_id: sub, code: `msg_${svc.code}`, timestamp: Math.floor(Date.parse("2026-11-21T12:00:00Z") / 1000) } } });

describe("suspending and resuming a subscription", () => {
  it("needs a reason, an active live subscription not already suspended; is audited and tells the app", async () => {
    expect((await domainRefusal(suspendSubscription(db(), { subscriptionId: subs.resumed, reason: " no ", actor: actor() }))).details).toEqual({ reason: ["too_short"] });
    await suspendSubscription(db(), { subscriptionId: subs.resumed, reason: "Abuse report under review", actor: actor(), now: new Date("2026-11-10T15:00:00Z") });
    expect((await domainRefusal(suspendSubscription(db(), { subscriptionId: subs.resumed, reason: "Second time", actor: actor() }))).code).toBe("already_suspended");
    const sub = await db().subscription.findUniqueOrThrow({ where: { id: subs.resumed } });
    expect({ at: sub.suspendedAt, by: sub.suspendedBy, status: sub.status }).toEqual({ at: new Date("2026-11-10T15:00:00Z"), by: "staff", status: "active" });
    expect(await db().auditLog.findFirstOrThrow({ where: { action: "subscription.suspended", entityId: subs.resumed } })).toMatchObject({ actorType: "staff", actorId: staffId, data: expect.objectContaining({ reason: "Abuse report under review" }) });
    const suspended = await db().webhookEvent.findFirstOrThrow({ where: { serviceId: svc.id, eventType: "subscription.suspended" } });
    expect(suspended.payload).toMatchObject({ external_id: "sub-resumed", status: "active", suspended_at: "2026-11-10T15:00:00.000Z" });
  });

  it("usage for a suspended subscription is refused with 422 subscription_suspended; nothing is stored", async () => {
    const refused = await event("sub-resumed", "while-suspended");
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ status: 422, code: "subscription_suspended" });
    expect(await db().usageEvent.count({ where: { serviceId: svc.id, transactionId: "while-suspended" } })).toBe(0);
    const rollup = await svc.call("/usage", { method: "POST", json: { usage: { external_subscription_id: "sub-resumed", code: `msg_${svc.code}`, period_start: "2026-11-11T00:00:00Z", period_end: "2026-11-12T00:00:00Z", value: 5, idempotency_key: "while-suspended" } } });
    expect(rollup.status).toBe(422);
    expect((await rollup.json()).code).toBe("subscription_suspended");
  });

  it("resumes with a reason (subscription.updated to the app); only staff's own suspensions are lifted by staff", async () => {
    await resumeSubscription(db(), { subscriptionId: subs.resumed, reason: "Review closed, no abuse", actor: actor(), now: new Date("2026-11-20T09:00:00Z") });
    expect((await domainRefusal(resumeSubscription(db(), { subscriptionId: subs.resumed, reason: "Again please", actor: actor() }))).code).toBe("not_suspended");
    expect(await db().subscription.findUniqueOrThrow({ where: { id: subs.resumed } })).toMatchObject({ suspendedAt: null, suspendedBy: null });
    expect(await db().subscriptionSuspension.findFirstOrThrow({ where: { subscriptionId: subs.resumed } })).toMatchObject({ resumedAt: new Date("2026-11-20T09:00:00Z"), resumeReason: "Review closed, no abuse", resumedById: staffId });
    expect(await db().auditLog.count({ where: { action: "subscription.resumed", entityId: subs.resumed } })).toBe(1);
    const types = (await db().webhookEvent.findMany({ where: { serviceId: svc.id }, orderBy: { sequence: "asc" } })).filter((e) => (e.payload as { external_id: string }).external_id === "sub-resumed").map((e) => e.eventType);
    expect(types.slice(-2)).toEqual(["subscription.suspended", "subscription.updated"]);
    // Usage flows again.
    expect((await event("sub-resumed", "after-resume")).status).toBe(200);

    await suspendSubscription(db(), { subscriptionId: subs.open, reason: "Customer asked for a pause", actor: actor(), now: new Date("2026-11-25T08:00:00Z") });
    // Dunning's suspension (an unpaid invoice) is lifted by payment, not by staff, and cannot be suspended over.
    await db().subscription.update({ where: { id: subs.dunning }, data: { suspendedAt: new Date("2026-11-15T00:00:00Z"), suspendedBy: "dunning" } });
    expect((await domainRefusal(resumeSubscription(db(), { subscriptionId: subs.dunning, reason: "Customer called", actor: actor() }))).code).toBe("suspended_for_unpaid_invoice");
    expect((await domainRefusal(suspendSubscription(db(), { subscriptionId: subs.dunning, reason: "Customer called", actor: actor() }))).code).toBe("already_suspended");
  });

  it("the period close credits the suspended days of the base fee, once", async () => {
    const first = await runBillingCycle(db(), CLOSE_AT, { serviceId: svc.id });
    expect(first.invoicesCreated).toBe(3);
    expect((await runBillingCycle(db(), CLOSE_AT, { serviceId: svc.id })).invoicesCreated).toBe(0);
    const lines = async (key: keyof typeof subs) => (await db().invoiceLine.findMany({ where: { subscriptionId: subs[key] }, orderBy: { amountCents: "desc" } })).map((l) => [l.kind, l.amountCents, l.description]);
    // Suspended November 10 (15:00) to November 20 (09:00): November 10 to 19 are not billed, 10 of 30 days = $10.00.
    expect(await lines("resumed")).toEqual([
      ["subscription_fee", BigInt(3000), "Chat — 2026-11-01 to 2026-11-30"],
      ["usage_charge", BigInt(1), "Messages"],
      ["proration_credit", BigInt(-1000), "Chat — suspended 10 of 30 days (2026-11-10 to 2026-11-19)"],
    ]);
    // Still suspended at the period end: November 25 to 30, 6 days = $6.00.
    expect((await lines("open")).filter((l) => l[0] !== "usage_charge")).toEqual([
      ["subscription_fee", BigInt(3000), "Chat — 2026-11-01 to 2026-11-30"],
      ["proration_credit", BigInt(-600), "Chat — suspended 6 of 30 days (2026-11-25 to 2026-11-30)"],
    ]);
    // Dunning's suspension is not a pause of the contract: billed in full.
    expect((await lines("dunning")).filter((l) => l[0] !== "usage_charge")).toEqual([["subscription_fee", BigInt(3000), "Chat — 2026-11-01 to 2026-11-30"]]);
    const invoice = await db().invoice.findFirstOrThrow({ where: { lines: { some: { subscriptionId: subs.resumed } } } });
    expect(invoice.subtotalCents).toBe(BigInt(3000 + 1 - 1000));
  });

  it("an in-advance fee is not credited by the close: it was invoiced before the suspension", async () => {
    const p = `adv_${svc.code}`;
    await svc.lago.plans.createPlan({ plan: { name: "Chat Prepaid", code: p, interval: "monthly", amount_cents: 3000, amount_currency: "CAD", pay_in_advance: true } });
    await svc.lago.customers.createCustomer({ customer: { external_id: "cus-advance", legal_name: "Suspension advance Inc.", state: "ON", country: "CA", timezone: "UTC" } });
    await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: "cus-advance", plan_code: p, external_id: "sub-advance", subscription_at: NOV_1 } });
    const id = (await db().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: "sub-advance" } })).id;
    await runBillingCycle(db(), new Date("2026-11-01T00:05:00Z"), { serviceId: svc.id });
    await suspendSubscription(db(), { subscriptionId: id, reason: "Paused at the customer's request", actor: actor(), now: new Date("2026-11-10T15:00:00Z") });
    await resumeSubscription(db(), { subscriptionId: id, reason: "Customer asked to resume", actor: actor(), now: new Date("2026-11-20T09:00:00Z") });
    await runBillingCycle(db(), CLOSE_AT, { serviceId: svc.id });
    const lines = await db().invoiceLine.findMany({ where: { subscriptionId: id }, orderBy: { periodStart: "asc" } });
    expect(lines.map((l) => [l.kind, l.amountCents])).toEqual([["subscription_fee", BigInt(3000)], ["subscription_fee", BigInt(3000)]]);
    const invoices = await db().invoice.findMany({ where: { lines: { some: { subscriptionId: id } } } });
    expect(invoices.every((i) => i.totalCents > BigInt(0))).toBe(true);
  });
});
