import { afterAll } from "vitest";
import { runBillingCycle } from "@/lib/invoicing/billing-run";
import { startCardSetup } from "@/lib/payments/payment-methods";
import { requireStripe } from "@/lib/payments/stripe-client";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { createTestService, testDb, type TestService } from "./api-fixture";
import { WebhookReceiver } from "./webhook-receiver";

const OCT_1 = "2026-10-01T04:00:00.000Z";
const CLOSE_AT = new Date("2026-11-01T12:00:00.000Z");


/** Stripe's test card numbers the local Stripe server knows. */
export const TEST_CARDS = {
  visa: "4242424242424242",
  chargeDeclined: "4000000000000341",
  insufficientFunds: "4000000000009995",
  /** Needs 3D Secure on every payment: 402 authentication_required off-session. */
  authenticationRequired: "4000002760003184",
  /** Declined as lost, advice do_not_try_again. */
  lostCard: "4000000000009987",
  /** Charges succeed; refunds fail a little later. */
  refundFails: "4000000000005126",
  /** Charges succeed and are disputed at once. */
  dispute: "4000000000000259",
} as const;

/**
 * Saves a card the way a customer does: the app opens a Checkout session, the card is typed on Stripe's (here: the
 * local Stripe server's) page, Stripe tells the app through its signed webhook and sends the customer back.
 */
export async function saveCardThroughCheckout(customerId: string, cardNumber: string): Promise<void> {
  const url = await startCardSetup(testDb(), customerId, { successUrl: "http://127.0.0.1:9/back?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://127.0.0.1:9/cancel" });
  const response = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card_number: cardNumber, expiry: "12 / 34", cvc: "123" }).toString(),
  });
  if (response.status !== 303) throw new Error(`Checkout refused the card: ${response.status} ${await response.text()}`);
}

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

/** A service with a webhook endpoint pointing at a running receiver that checks signatures with the service's secret. */
export async function serviceWithReceiver(mode: "live" | "shadow" = "live") {
  const svc = await createTestService(mode);
  const secret = generateWebhookSecret();
  await testDb().service.update({ where: { id: svc.id }, data: { webhookSigningSecret: secret } });
  const receiver = new WebhookReceiver(secret);
  receivers.push(receiver);
  const url = await receiver.start();
  await testDb().webhookEndpoint.create({ data: { serviceId: svc.id, url, eventTypes: [] } });
  return { svc, receiver };
}

/** A customer of the service on a $50/month plan since October 1, in Ontario (13 % HST: the October invoice is $56.50). */
export async function subscribedCustomer(svc: TestService, externalId: string) {
  const email = `${externalId}.${svc.code}@customer.example`.toLowerCase();
  const planCode = `pay_${svc.code}`;
  if (!(await testDb().plan.findFirst({ where: { code: planCode } }))) {
    await svc.lago.plans.createPlan({ plan: { name: "Hosting", code: planCode, interval: "monthly", amount_cents: 5000, amount_currency: "CAD", pay_in_advance: false } });
  }
  await svc.lago.customers.createCustomer({ customer: { external_id: externalId, legal_name: `${externalId} Inc.`, email, state: "ON", country: "CA", timezone: "America/Toronto" } });
  await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: externalId, plan_code: planCode, external_id: `sub-${externalId}`, subscription_at: OCT_1 } });
  const link = await testDb().accountLink.findUniqueOrThrow({ where: { serviceId_externalId: { serviceId: svc.id, externalId } } });
  const subscription = await testDb().subscription.findFirstOrThrow({ where: { serviceId: svc.id, externalId: `sub-${externalId}` } });
  return { customerId: link.customerId, email, subscriptionId: subscription.id };
}

export async function octoberInvoice(svc: TestService, customerId: string) {
  await runBillingCycle(testDb(), CLOSE_AT, { serviceId: svc.id });
  return testDb().invoice.findFirstOrThrow({ where: { serviceId: svc.id, customerId } });
}

export async function stripeIntentsOf(customerId: string) {
  const customer = await testDb().customer.findUniqueOrThrow({ where: { id: customerId } });
  if (!customer.stripeCustomerId) return [];
  return (await requireStripe().paymentIntents.list({ customer: customer.stripeCustomerId, limit: 100 })).data;
}

