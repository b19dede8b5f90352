import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound } from "@/lib/errors";
import type { Payment } from "@/lib/generated/prisma/client";
import { amountDueCents, NOT_CHARGEABLE_MESSAGES, notChargeableReason } from "./chargeability";
import { recordPaymentFailed, recordPaymentSucceeded } from "./payment-outcomes";
import { requireStripe } from "./stripe-client";

export type ChargeTrigger = "automatic" | "dunning" | "customer" | "staff";

export interface ChargeResult {
  payment: Payment;
  status: "succeeded" | "failed" | "processing";
}

/** The idempotency key of one charge attempt: a retry of the same attempt (lost answer, crash) never charges twice. */
export const chargeIdempotencyKey = (invoiceId: string, attempt: number) => `nexa-invoice-${invoiceId}-attempt-${attempt}`;

/**
 * Charges what is due on a finalised invoice to the customer's default card with a Stripe PaymentIntent (off-session,
 * confirmed at once). The attempt is recorded before Stripe is called, so a crash leaves a trace and never a second
 * charge; the outcome is recorded from Stripe's answer and again, idempotently, from its webhook.
 *
 * Refused (DomainError not_allowed) for anything notChargeableReason rejects — shadow billing above all — and while
 * another attempt on the invoice is still in flight (conflict `payment_in_progress`).
 */
export async function chargeInvoice(client: Db, invoiceId: string, options: { trigger: ChargeTrigger; customerId?: string; now?: Date }): Promise<ChargeResult> {
  const now = options.now ?? new Date();
  requireStripe();
  const prepared = await client.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Invoice" WHERE id = ${invoiceId}::uuid FOR UPDATE`;
    if (!locked.length) throw entityNotFound("invoice");
    const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: invoiceId }, include: { service: true, customer: true } });
    if (options.customerId && invoice.customerId !== options.customerId) throw entityNotFound("invoice");
    const shadowLines = await tx.invoiceLine.count({ where: { invoiceId, subscription: { shadow: true } } });
    const defaultPaymentMethod = await tx.paymentMethod.findFirst({ where: { customerId: invoice.customerId, isDefault: true } });
    const reason = notChargeableReason({ invoice, service: invoice.service, billsShadowSubscription: shadowLines > 0, defaultPaymentMethod });
    if (reason) throw new DomainError("not_allowed", reason, undefined, NOT_CHARGEABLE_MESSAGES[reason]);
    if (!invoice.customer.stripeCustomerId) throw new DomainError("not_allowed", "no_payment_method", undefined, NOT_CHARGEABLE_MESSAGES.no_payment_method);
    const inFlight = await tx.payment.count({ where: { invoiceId, status: { in: ["pending", "processing"] } } });
    if (inFlight) throw new DomainError("conflict", "payment_in_progress", undefined, "A payment of this invoice is already being processed");
    const attempt = (await tx.payment.count({ where: { invoiceId } })) + 1;
    const payment = await tx.payment.create({
      data: {
        invoiceId,
        customerId: invoice.customerId,
        amountCents: amountDueCents(invoice),
        currency: invoice.currency,
        status: "processing",
        idempotencyKey: chargeIdempotencyKey(invoiceId, attempt),
        attempt,
        trigger: options.trigger,
        providerPaymentMethodId: defaultPaymentMethod!.providerPaymentMethodId,
      },
    });
    return { payment, invoice, stripeCustomerId: invoice.customer.stripeCustomerId };
  });

  return submitCharge(client, prepared.payment, { stripeCustomerId: prepared.stripeCustomerId, invoiceNumber: prepared.invoice.number }, now);
}

interface ChargeContext {
  stripeCustomerId: string;
  invoiceNumber: string | null;
}

/**
 * Sends a recorded attempt to Stripe and records what it answered. Sending the same attempt again is safe: the request
 * is the same and so is its idempotency key, so Stripe answers with the first outcome instead of charging again.
 */
async function submitCharge(client: Db, payment: Payment, context: ChargeContext, now: Date): Promise<ChargeResult> {
  let intent: Stripe.PaymentIntent;
  try {
    intent = await requireStripe().paymentIntents.create(
      {
        amount: Number(payment.amountCents),
        currency: payment.currency.toLowerCase(),
        customer: context.stripeCustomerId,
        payment_method: payment.providerPaymentMethodId!,
        off_session: true,
        confirm: true,
        description: `Invoice ${context.invoiceNumber}`,
        metadata: { nexa_invoice_id: payment.invoiceId!, nexa_payment_id: payment.id, nexa_attempt: String(payment.attempt) },
      },
      { idempotencyKey: payment.idempotencyKey },
    );
  } catch (error) {
    const stripeError = error as { type?: string; code?: string; decline_code?: string; message?: string; payment_intent?: { id: string } };
    if (stripeError.type === "StripeCardError" || stripeError.payment_intent) {
      const failed = await recordPaymentFailed(client, { paymentId: payment.id }, {
        code: stripeError.decline_code ?? stripeError.code ?? "card_declined",
        message: stripeError.message ?? "The card was declined",
        providerPaymentId: stripeError.payment_intent?.id ?? null,
      }, now);
      return { payment: failed.payment ?? payment, status: "failed" };
    }
    if (stripeError.type === "StripeInvalidRequestError") {
      // Stripe refused the request itself (e.g. the card was detached meanwhile): nothing was charged.
      const failed = await recordPaymentFailed(client, { paymentId: payment.id }, { code: stripeError.code ?? "invalid_request", message: stripeError.message ?? "Stripe refused the charge" }, now);
      return { payment: failed.payment ?? payment, status: "failed" };
    }
    // No answer (network, outage): the charge may or may not have happened. The attempt stays in flight and
    // resumeStalledCharges sends the very same request again later — never a new attempt that could charge twice.
    const waiting = await client.payment.update({ where: { id: payment.id }, data: { failureMessage: `Stripe did not answer: ${stripeError.message ?? "no response"}` } });
    return { payment: waiting, status: "processing" };
  }
  return settleFromIntent(client, payment, intent, now);
}

async function settleFromIntent(client: Db, payment: Payment, intent: Stripe.PaymentIntent, now: Date): Promise<ChargeResult> {
  if (intent.status === "succeeded") {
    const paid = await recordPaymentSucceeded(client, { paymentId: payment.id }, { providerPaymentId: intent.id, amountCents: BigInt(intent.amount_received ?? intent.amount) }, now);
    return { payment: paid.payment ?? payment, status: "succeeded" };
  }
  if (intent.status === "requires_payment_method" || intent.status === "canceled") {
    const failed = await recordPaymentFailed(client, { paymentId: payment.id }, {
      code: intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? intent.status,
      message: intent.last_payment_error?.message ?? "The payment did not go through",
      providerPaymentId: intent.id,
    }, now);
    return { payment: failed.payment ?? payment, status: "failed" };
  }
  // Processing or needing the customer's authentication: Stripe's webhook settles it.
  const pending = await client.payment.update({ where: { id: payment.id }, data: { providerPaymentId: intent.id, failureMessage: null } });
  return { payment: pending, status: "processing" };
}

/** How long an unanswered attempt waits before it is sent again, and the age past which Stripe forgets its key. */
const STALLED_AFTER_MS = 2 * 60 * 1000;
const IDEMPOTENCY_KEY_LIFETIME_MS = 23 * 60 * 60 * 1000;

/**
 * Attempts Stripe never answered are sent again with their own idempotency key. Past the key's lifetime (24 hours at
 * Stripe) sending again could charge twice, so the attempt is looked up by its id in the PaymentIntent's metadata
 * instead: settled from it when Stripe has it, failed when it provably never reached Stripe.
 */
export async function resumeStalledCharges(client: Db, now = new Date(), options: { serviceId?: string } = {}): Promise<number> {
  const stalled = await client.payment.findMany({
    where: {
      status: "processing",
      providerPaymentId: null,
      invoiceId: { not: null },
      updatedAt: { lt: new Date(now.getTime() - STALLED_AFTER_MS) },
      ...(options.serviceId ? { invoice: { serviceId: options.serviceId } } : {}),
    },
    include: { invoice: { include: { customer: true } } },
    take: 100,
  });
  for (const payment of stalled) {
    const context = { stripeCustomerId: payment.invoice!.customer.stripeCustomerId!, invoiceNumber: payment.invoice!.number };
    if (now.getTime() - payment.createdAt.getTime() < IDEMPOTENCY_KEY_LIFETIME_MS) {
      await submitCharge(client, payment, context, now);
      continue;
    }
    const intents = await requireStripe().paymentIntents.list({ customer: context.stripeCustomerId, limit: 100 });
    const intent = intents.data.find((i) => i.metadata?.nexa_payment_id === payment.id);
    if (intent) await settleFromIntent(client, payment, intent, now);
    else await recordPaymentFailed(client, { paymentId: payment.id }, { code: "provider_unavailable", message: "Stripe could not be reached for this charge" }, now);
  }
  return stalled.length;
}
