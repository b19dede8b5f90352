import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound } from "@/lib/errors";
import type { Payment } from "@/lib/generated/prisma/client";
import { amountDueCents, NOT_CHARGEABLE_MESSAGES, notChargeableReason } from "./chargeability";
import { settleFromIntent, type IntentSettlement } from "./intent-outcomes";
import { recordAuthenticationRequired, recordPaymentCanceled, recordPaymentFailed } from "./payment-outcomes";
import { alertStaff } from "./staff-alerts";
import { requireStripe } from "./stripe-client";
import { classifyStripeError } from "./stripe-errors";

export type ChargeTrigger = "automatic" | "dunning" | "customer" | "staff";

/**
 * How a charge attempt stands once Stripe has answered (or not):
 * - succeeded / failed (a decline: dunning follows);
 * - processing: Stripe has not settled it (or did not answer); its webhook or the collection pass settles it;
 * - requires_action: on-session, the customer must authenticate at `redirectUrl` first;
 * - action_required: off-session, the bank wants the customer to authenticate — they were e-mailed a pay link;
 * - canceled: nothing charged and not a decline (abandoned authentication, amount a card cannot carry, a Stripe
 *   configuration problem staff were alerted to).
 */
export interface ChargeResult {
  payment: Payment;
  status: IntentSettlement | "processing";
  redirectUrl?: string;
}

/** The idempotency key of one charge attempt: a retry of the same attempt (lost answer, crash) never charges twice. */
export const chargeIdempotencyKey = (invoiceId: string, attempt: number) => `nexa-invoice-${invoiceId}-attempt-${attempt}`;

export interface ChargeOptions {
  trigger: ChargeTrigger;
  customerId?: string;
  now?: Date;
  /** The customer is paying now (portal): Stripe may ask them to authenticate and send them back to `returnUrl`. */
  onSession?: { returnUrl: string };
}

/**
 * Charges what is due on a finalised invoice to the customer's default card with a Stripe PaymentIntent restricted to
 * cards — off-session (collections, dunning, staff) or on-session (the customer in the portal, who can pass 3D
 * Secure). The attempt is recorded before Stripe is called, so a crash leaves a trace and never a second charge; the
 * outcome is recorded from Stripe's answer and again, idempotently, from its webhook.
 *
 * Refused (DomainError not_allowed) for anything notChargeableReason rejects — shadow billing above all, amounts a card
 * cannot carry — and while another attempt on the invoice is still in flight (conflict `payment_in_progress`).
 */
export async function chargeInvoice(client: Db, invoiceId: string, options: ChargeOptions): Promise<ChargeResult> {
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

  return submitCharge(client, prepared.payment, { stripeCustomerId: prepared.stripeCustomerId, invoiceNumber: prepared.invoice.number, onSession: options.onSession }, now);
}

interface ChargeContext {
  stripeCustomerId: string;
  invoiceNumber: string | null;
  onSession?: { returnUrl: string };
}

/** The PaymentIntent of one attempt. Sent again for the same attempt, it is the very same request (same key). */
function intentParams(payment: Payment, context: ChargeContext): Stripe.PaymentIntentCreateParams {
  return {
    amount: Number(payment.amountCents),
    currency: payment.currency.toLowerCase(),
    customer: context.stripeCustomerId,
    payment_method: payment.providerPaymentMethodId!,
    // Cards only: Dashboard-enabled methods (bank debits, Link) could sit in processing for days or need a return_url.
    allowed_payment_method_types: ["card"],
    confirm: true,
    ...(context.onSession ? { return_url: context.onSession.returnUrl } : { off_session: true }),
    description: `Invoice ${context.invoiceNumber}`,
    metadata: { nexa_invoice_id: payment.invoiceId!, nexa_payment_id: payment.id, nexa_attempt: String(payment.attempt) },
  };
}

/**
 * Sends a recorded attempt to Stripe and records what it answered. Sending the same attempt again is safe: the request
 * is the same and so is its idempotency key, so Stripe answers with the first outcome instead of charging again.
 */
async function submitCharge(client: Db, payment: Payment, context: ChargeContext, now: Date): Promise<ChargeResult> {
  let intent: Stripe.PaymentIntent;
  try {
    intent = await requireStripe().paymentIntents.create(intentParams(payment, context), { idempotencyKey: payment.idempotencyKey });
  } catch (error) {
    return recordChargeError(client, payment, error, now);
  }
  return settleFromIntent(client, { paymentId: payment.id }, intent, now, { onSession: Boolean(context.onSession) }).then((settled) => ({
    payment: settled.payment ?? payment,
    status: settled.status,
    redirectUrl: settled.redirectUrl,
  }));
}

async function recordChargeError(client: Db, payment: Payment, error: unknown, now: Date): Promise<ChargeResult> {
  const failure = classifyStripeError(error);
  const ref = { paymentId: payment.id };
  switch (failure.kind) {
    case "declined": {
      const failed = await recordPaymentFailed(client, ref, { code: failure.code, message: failure.message, adviceCode: failure.adviceCode, providerPaymentId: failure.paymentIntentId }, now);
      return { payment: failed.payment ?? payment, status: "failed" };
    }
    case "authentication_required": {
      const waiting = await recordAuthenticationRequired(client, ref, { message: failure.message, providerPaymentId: failure.paymentIntentId }, now);
      return { payment: waiting.payment ?? payment, status: "action_required" };
    }
    case "card_unusable": {
      // Stripe refused the card itself (detached meanwhile): nothing was charged; dunning asks for a new card.
      const failed = await recordPaymentFailed(client, ref, { code: failure.code, message: failure.message }, now);
      return { payment: failed.payment ?? payment, status: "failed" };
    }
    case "amount_out_of_range": {
      const canceled = await recordPaymentCanceled(client, ref, { code: failure.code, message: failure.message });
      return { payment: canceled.payment ?? payment, status: "canceled" };
    }
    case "configuration": {
      // A revoked or restricted key, a key reused with other parameters, a request Stripe does not accept: retrying
      // changes nothing. Nothing was charged; staff are told, the attempt ends, and no dunning starts.
      const canceled = await recordPaymentCanceled(client, ref, { code: failure.code, message: `Stripe refused our request (${failure.status ?? "no status"}): ${failure.message}` });
      await alertStaff(client, {
        kind: "stripe_configuration",
        subject: `Stripe refused a charge: ${failure.code}`,
        text: `Stripe refused the charge of payment ${payment.id} (invoice ${payment.invoiceId}) with HTTP ${failure.status ?? "?"} ${failure.code}: ${failure.message}\n\nNothing was charged and it will not be retried automatically. Check the Stripe key and its permissions (README "Payments"), then charge the invoice again from the console.`,
        entityType: "Payment",
        entityId: payment.id,
        data: { code: failure.code, status: failure.status },
      });
      return { payment: canceled.payment ?? payment, status: "canceled" };
    }
    case "no_answer": {
      // No answer, a 5xx or a key still in use: the charge may or may not exist. The attempt stays in flight and
      // resumeStalledCharges looks it up at Stripe before doing anything else — never a blind second charge.
      const waiting = await client.payment.update({ where: { id: payment.id }, data: { failureCode: failure.code, failureMessage: `Stripe did not answer: ${failure.message}` } });
      return { payment: waiting, status: "processing" };
    }
  }
}

/** How long an unanswered attempt waits before it is looked up, and the age past which Stripe forgets its key. */
const STALLED_AFTER_MS = 2 * 60 * 1000;
const IDEMPOTENCY_KEY_LIFETIME_MS = 23 * 60 * 60 * 1000;
/** How long an intent Stripe left processing or waiting for the customer's authentication goes before it is checked. */
const UNSETTLED_AFTER_MS = 60 * 60 * 1000;

/** The PaymentIntent of an attempt, found by the attempt's id in its metadata among all the customer's intents since. */
export async function findIntentOfPayment(stripeCustomerId: string, payment: Pick<Payment, "id" | "createdAt">): Promise<Stripe.PaymentIntent | null> {
  const since = Math.floor(payment.createdAt.getTime() / 1000) - 600;
  for await (const intent of requireStripe().paymentIntents.list({ customer: stripeCustomerId, created: { gte: since }, limit: 100 })) {
    if (intent.metadata?.nexa_payment_id === payment.id) return intent;
  }
  return null;
}

export interface ResumeSummary {
  resumed: number;
  errors: { paymentId: string; error: string }[];
}

/**
 * Attempts still unsettled after a while, each on its own (one failing never stops the others):
 * - never answered: looked up at Stripe by the attempt's id in the intents' metadata, across every page. Found, it is
 *   settled from what Stripe holds. Not found, it never reached Stripe: sent again with the same key while Stripe
 *   remembers it — unless the key's stored answer is a 500 — otherwise ended (canceled) and charged as a new attempt.
 * - left processing or waiting for the customer's authentication: read back from Stripe; a customer who never came
 *   back from 3D Secure has the intent canceled at Stripe, and the attempt ends without dunning.
 */
export async function resumeStalledCharges(client: Db, now = new Date(), options: { serviceId?: string } = {}): Promise<ResumeSummary> {
  const stalled = await client.payment.findMany({
    where: {
      status: "processing",
      invoiceId: { not: null },
      OR: [
        { providerPaymentId: null, updatedAt: { lt: new Date(now.getTime() - STALLED_AFTER_MS) } },
        { providerPaymentId: { not: null }, updatedAt: { lt: new Date(now.getTime() - UNSETTLED_AFTER_MS) } },
      ],
      ...(options.serviceId ? { invoice: { serviceId: options.serviceId } } : {}),
    },
    include: { invoice: { include: { customer: true } } },
    orderBy: { updatedAt: "asc" },
    take: 100,
  });
  const summary: ResumeSummary = { resumed: 0, errors: [] };
  for (const payment of stalled) {
    try {
      await resumeOne(client, payment, payment.invoice!.customer.stripeCustomerId!, payment.invoice!.number, now);
      summary.resumed += 1;
    } catch (error) {
      console.error(`Resuming payment ${payment.id} failed:`, error);
      summary.errors.push({ paymentId: payment.id, error: (error as Error).message });
    }
  }
  return summary;
}

async function resumeOne(client: Db, payment: Payment, stripeCustomerId: string, invoiceNumber: string | null, now: Date): Promise<void> {
  if (payment.providerPaymentId) {
    const intent = await requireStripe().paymentIntents.retrieve(payment.providerPaymentId);
    if (intent.status === "requires_action") {
      const canceled = await requireStripe().paymentIntents.cancel(intent.id, { cancellation_reason: "abandoned" }, { idempotencyKey: `nexa-abandon-${payment.id}` });
      await settleFromIntent(client, { paymentId: payment.id }, canceled, now);
      return;
    }
    const settled = await settleFromIntent(client, { paymentId: payment.id }, intent, now);
    if (settled.status === "processing") await client.payment.update({ where: { id: payment.id }, data: { updatedAt: now } });
    return;
  }
  const intent = await findIntentOfPayment(stripeCustomerId, payment);
  if (intent) {
    await settleFromIntent(client, { paymentId: payment.id }, intent, now);
    return;
  }
  const keyRemembered = now.getTime() - payment.createdAt.getTime() < IDEMPOTENCY_KEY_LIFETIME_MS;
  if (keyRemembered && payment.failureCode !== "stripe_api_error") {
    await submitCharge(client, payment, { stripeCustomerId, invoiceNumber }, now);
    return;
  }
  // Stripe has no intent for it: nothing was charged. End it and charge the invoice as a new attempt (a new key).
  await recordPaymentCanceled(client, { paymentId: payment.id }, { code: "provider_unavailable", message: "Stripe has no record of this charge; it was never made" });
  try {
    await chargeInvoice(client, payment.invoiceId!, { trigger: payment.trigger as ChargeTrigger, now });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
  }
}

/**
 * The customer's return from authenticating an on-session payment (Stripe appends `payment_intent` to the return
 * URL): the intent is read back from Stripe — never trusted from the URL — checked to be this customer's payment of
 * this invoice, and settled. Stripe's webhook settles it too; both are idempotent.
 */
export async function completeOnSessionPayment(client: Db, customerId: string, invoiceId: string, paymentIntentId: string, now = new Date()): Promise<ChargeResult["status"] | "unknown"> {
  const customer = await client.customer.findUnique({ where: { id: customerId } });
  if (!customer?.stripeCustomerId) return "unknown";
  const intent = await requireStripe().paymentIntents.retrieve(paymentIntentId);
  const paymentId = intent.metadata?.nexa_payment_id;
  if (intent.customer !== customer.stripeCustomerId || intent.metadata?.nexa_invoice_id !== invoiceId || !paymentId) return "unknown";
  const payment = await client.payment.findFirst({ where: { id: paymentId, invoiceId, customerId } });
  if (!payment) return "unknown";
  return (await settleFromIntent(client, { paymentId }, intent, now)).status;
}
