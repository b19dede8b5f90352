import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { forgetPaymentMethod, savePaymentMethod } from "./payment-methods";
import { recordPaymentFailed, recordPaymentSucceeded } from "./payment-outcomes";
import { recordChargeRefunds } from "./refunds";
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
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      const ref = intent.metadata?.nexa_payment_id ? { paymentId: intent.metadata.nexa_payment_id } : { providerPaymentId: intent.id };
      const result = await recordPaymentSucceeded(client, ref, { providerPaymentId: intent.id, amountCents: BigInt(intent.amount_received ?? intent.amount) }, now);
      return result.payment !== null;
    }
    case "payment_intent.payment_failed": {
      const intent = event.data.object;
      const ref = intent.metadata?.nexa_payment_id ? { paymentId: intent.metadata.nexa_payment_id } : { providerPaymentId: intent.id };
      const error = intent.last_payment_error;
      const result = await recordPaymentFailed(client, ref, {
        code: error?.decline_code ?? error?.code ?? "payment_failed",
        message: error?.message ?? "The payment failed",
        providerPaymentId: intent.id,
      }, now);
      return result.payment !== null;
    }
    case "charge.refunded": {
      // Since API 2022-11-15 the event's charge carries no refunds list: read them from Stripe.
      const charge = event.data.object;
      const refunds = await requireStripe().refunds.list({ charge: charge.id, limit: 100 });
      return (await recordChargeRefunds(client, charge, refunds.data)).matched;
    }
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
