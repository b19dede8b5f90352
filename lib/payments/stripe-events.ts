import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { forgetPaymentMethod, savePaymentMethod } from "./payment-methods";
import { recordDispute } from "./disputes";
import { settleFromIntent } from "./intent-outcomes";
import { recordRefunds } from "./refunds";
import { alertStaff } from "./staff-alerts";
import { requireStripe } from "./stripe-client";

export type StripeEventOutcome = "handled" | "ignored" | "duplicate";

/**
 * Handles one verified Stripe event. Every handler is idempotent on its own (it compares states under a row lock), and
 * an event already handled is skipped outright, so a redelivered event changes nothing. Unknown event types are
 * acknowledged and ignored. A handler that throws records nothing, so Stripe's redelivery tries again.
 */
export async function handleStripeEvent(client: Db, event: Stripe.Event, now = new Date()): Promise<StripeEventOutcome> {
  const seen = await client.stripeEvent.findUnique({ where: { id: event.id } });
  if (seen) return "duplicate";
  const handled = await dispatch(client, event, now);
  const outcome = handled ? "handled" : "ignored";
  await client.stripeEvent.createMany({ data: [{ id: event.id, type: event.type, outcome }], skipDuplicates: true });
  return outcome;
}

async function dispatch(client: Db, event: Stripe.Event, now: Date): Promise<boolean> {
  switch (event.type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
    case "payment_intent.canceled":
    case "payment_intent.processing":
    case "payment_intent.requires_action": {
      // The intent as it was when the event was created; settling never moves a settled payment back, so an older
      // snapshot arriving late (or twice) changes nothing.
      const intent = event.data.object;
      const ref = intent.metadata?.nexa_payment_id ? { paymentId: intent.metadata.nexa_payment_id } : { providerPaymentId: intent.id };
      const settled = await settleFromIntent(client, ref, intent, now, { onSession: event.type === "payment_intent.requires_action" });
      return settled.payment !== null;
    }
    case "charge.refunded": {
      // Since API 2022-11-15 the event's charge carries no refunds list: read them from Stripe as they are now.
      const charge = event.data.object;
      const intentId = typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
      if (!intentId) return false;
      const refunds = await requireStripe().refunds.list({ charge: charge.id, limit: 100 }).autoPagingToArray({ limit: 10_000 });
      return refundsRecorded(client, intentId, refunds);
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
    case "charge.refund.updated": {
      const refund = event.data.object;
      const intentId = typeof refund.payment_intent === "string" ? refund.payment_intent : refund.payment_intent?.id;
      if (!intentId) return false;
      return refundsRecorded(client, intentId, [refund]);
    }
    case "charge.dispute.created":
    case "charge.dispute.updated":
    case "charge.dispute.closed":
    case "charge.dispute.funds_withdrawn":
    case "charge.dispute.funds_reinstated":
      return (await recordDispute(client, event.data.object, now)).matched;
    case "setup_intent.succeeded": {
      const intent = event.data.object;
      return saveCardOf(client, intent.customer, intent.payment_method);
    }
    case "checkout.session.completed": {
      const session = event.data.object;
      if (session.mode !== "setup" || !session.setup_intent) return false;
      const setupIntentId = typeof session.setup_intent === "string" ? session.setup_intent : session.setup_intent.id;
      const intent = await requireStripe().setupIntents.retrieve(setupIntentId);
      return saveCardOf(client, session.customer, intent.payment_method);
    }
    case "payment_method.detached":
      return forgetPaymentMethod(client, event.data.object.id);
    default:
      return false;
  }
}

/** Records refunds and tells staff about any that failed (the money did not reach the customer). */
async function refundsRecorded(client: Db, intentId: string, refunds: Stripe.Refund[]): Promise<boolean> {
  const result = await recordRefunds(client, intentId, refunds);
  for (const failed of result.failed) {
    await alertStaff(client, {
      kind: "refund_failed",
      subject: `Refund failed: ${failed.id}`,
      text: `Stripe could not pay refund ${failed.id} (${failed.amountCents} minor units) back to the card of payment ${failed.paymentId}: ${failed.reason ?? "no reason given"}. It no longer counts as refunded; pay the customer another way.`,
      entityType: "Payment",
      entityId: failed.paymentId,
      data: { refundId: failed.id },
    });
  }
  return result.matched;
}

type Ref<T extends { id: string }> = string | T | null;

async function saveCardOf(client: Db, stripeCustomer: Ref<Stripe.Customer | Stripe.DeletedCustomer>, method: Ref<Stripe.PaymentMethod>): Promise<boolean> {
  const stripeCustomerId = typeof stripeCustomer === "string" ? stripeCustomer : stripeCustomer?.id;
  if (!stripeCustomerId || !method) return false;
  const customer = await client.customer.findUnique({ where: { stripeCustomerId } });
  if (!customer) return false;
  const paymentMethod = typeof method === "string" ? await requireStripe().paymentMethods.retrieve(method) : method;
  await savePaymentMethod(client, customer.id, paymentMethod);
  return true;
}
