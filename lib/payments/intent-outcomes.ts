import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import type { Payment } from "@/lib/generated/prisma/client";
import { recordAuthenticationRequired, recordPaymentCanceled, recordPaymentFailed, recordPaymentSucceeded, type PaymentRef } from "./payment-outcomes";

export type IntentSettlement = "succeeded" | "failed" | "processing" | "requires_action" | "action_required" | "canceled";

export interface SettledIntent {
  payment: Payment | null;
  status: IntentSettlement;
  redirectUrl?: string;
}

/**
 * Records what a PaymentIntent says about one attempt — from the charge's answer, the customer's return from 3D
 * Secure, the collection pass or a webhook; each record is idempotent and never moves a settled payment back:
 * - succeeded: money received.
 * - processing: not settled yet (its webhook settles it); nothing else may be charged meanwhile.
 * - requires_action: on-session, the customer is sent to authenticate; off-session it means the customer must come
 *   and pay (authentication required), never a decline.
 * - requires_payment_method: the last attempt failed — authentication_required (ask the customer), a failed
 *   authentication (the customer gave up: canceled, no dunning), or a decline with Stripe's advice code.
 * - canceled: ended without charging; not a decline.
 */
export async function settleFromIntent(client: Db, ref: PaymentRef, intent: Stripe.PaymentIntent, now: Date, options: { onSession?: boolean } = {}): Promise<SettledIntent> {
  const providerPaymentId = intent.id;
  switch (intent.status) {
    case "succeeded": {
      const paid = await recordPaymentSucceeded(client, ref, { providerPaymentId, amountCents: BigInt(intent.amount_received ?? intent.amount) }, now);
      return { payment: paid.payment, status: "succeeded" };
    }
    case "requires_action": {
      const redirectUrl = intent.next_action?.redirect_to_url?.url ?? undefined;
      if (options.onSession && redirectUrl) return { payment: await attachIntent(client, ref, providerPaymentId), status: "requires_action", redirectUrl };
      const waiting = await recordAuthenticationRequired(client, ref, { message: "The card's bank asks the customer to authenticate this payment", providerPaymentId }, now);
      return { payment: waiting.payment, status: "action_required" };
    }
    case "requires_payment_method": {
      const error = intent.last_payment_error;
      if (!error) return { payment: await attachIntent(client, ref, providerPaymentId), status: "processing" };
      if (error.code === "authentication_required" || error.decline_code === "authentication_required") {
        const waiting = await recordAuthenticationRequired(client, ref, { message: error.message ?? "Authentication required", providerPaymentId }, now);
        return { payment: waiting.payment, status: "action_required" };
      }
      if (error.code === "payment_intent_authentication_failure") {
        const canceled = await recordPaymentCanceled(client, ref, { code: error.code, message: "The payment was not authenticated", providerPaymentId });
        return { payment: canceled.payment, status: "canceled" };
      }
      const failed = await recordPaymentFailed(client, ref, {
        code: error.decline_code ?? error.code ?? "card_declined",
        message: error.message ?? "The payment did not go through",
        adviceCode: error.advice_code ?? null,
        providerPaymentId,
      }, now);
      return { payment: failed.payment, status: "failed" };
    }
    case "canceled": {
      const canceled = await recordPaymentCanceled(client, ref, { code: `canceled_${intent.cancellation_reason ?? "by_stripe"}`, message: "The payment was canceled before it was charged", providerPaymentId });
      return { payment: canceled.payment, status: "canceled" };
    }
    default:
      // processing, requires_confirmation, requires_capture: Stripe's webhook settles it.
      return { payment: await attachIntent(client, ref, providerPaymentId), status: "processing" };
  }
}

async function attachIntent(client: Db, ref: PaymentRef, providerPaymentId: string): Promise<Payment | null> {
  const where = "paymentId" in ref ? { id: ref.paymentId } : { providerPaymentId: ref.providerPaymentId };
  // One statement, so an attempt settled meanwhile (a late or repeated event racing the settling one) is left alone.
  await client.payment.updateMany({ where: { ...where, status: { in: ["processing", "pending"] } }, data: { providerPaymentId, failureCode: null, failureMessage: null } });
  return client.payment.findUnique({ where: "paymentId" in ref ? { id: ref.paymentId } : { providerPaymentId } });
}
