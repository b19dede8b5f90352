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
  const stripe = requireStripe();
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

  const { payment, invoice } = prepared;
  let intent: Stripe.PaymentIntent;
  try {
    intent = await stripe.paymentIntents.create(
      {
        amount: Number(payment.amountCents),
        currency: payment.currency.toLowerCase(),
        customer: prepared.stripeCustomerId,
        payment_method: payment.providerPaymentMethodId!,
        off_session: true,
        confirm: true,
        description: `Invoice ${invoice.number}`,
        metadata: { nexa_invoice_id: invoice.id, nexa_payment_id: payment.id, nexa_attempt: String(payment.attempt) },
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
    // No answer from Stripe (network, outage): the attempt may or may not have gone through. It fails here so the
    // invoice can be retried — with a new attempt key — and Stripe's webhook corrects it if the charge did happen.
    const failed = await recordPaymentFailed(client, { paymentId: payment.id }, { code: "provider_unavailable", message: stripeError.message ?? "Stripe did not answer" }, now);
    return { payment: failed.payment ?? payment, status: "failed" };
  }

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
  const pending = await client.payment.update({ where: { id: payment.id }, data: { providerPaymentId: intent.id } });
  return { payment: pending, status: "processing" };
}
