import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound } from "@/lib/errors";
import type { PaymentMethod } from "@/lib/generated/prisma/client";
import { requireStripe } from "./stripe-client";
import { ensureStripeCustomer } from "./stripe-customers";

/**
 * Saved cards. Cards are entered on Stripe's hosted Checkout page (setup mode) — card numbers never reach us — and
 * recorded here when Stripe confirms the SetupIntent (webhook) or the customer comes back from Checkout, whichever is
 * first; both paths are idempotent. The first card saved becomes the default that invoices are charged to.
 */
export async function startCardSetup(client: Db, customerId: string, urls: { successUrl: string; cancelUrl: string }): Promise<string> {
  const stripeCustomerId = await ensureStripeCustomer(client, customerId);
  const session = await requireStripe().checkout.sessions.create({
    mode: "setup",
    customer: stripeCustomerId,
    allowed_payment_method_types: ["card"],
    currency: "cad",
    success_url: urls.successUrl,
    cancel_url: urls.cancelUrl,
    metadata: { nexa_customer_id: customerId },
  });
  if (!session.url) throw new DomainError("conflict", "checkout_unavailable", undefined, "Stripe did not return a checkout page");
  return session.url;
}

/** Records the card of a completed setup Checkout session (the customer's return to the success URL). */
export async function completeCardSetup(client: Db, customerId: string, checkoutSessionId: string): Promise<PaymentMethod | null> {
  const session = await requireStripe().checkout.sessions.retrieve(checkoutSessionId, { expand: ["setup_intent.payment_method"] });
  const customer = await client.customer.findUnique({ where: { id: customerId } });
  if (!customer?.stripeCustomerId || session.customer !== customer.stripeCustomerId) return null;
  const setupIntent = session.setup_intent as Stripe.SetupIntent | null;
  if (!setupIntent || setupIntent.status !== "succeeded" || !setupIntent.payment_method) return null;
  const paymentMethod = typeof setupIntent.payment_method === "string"
    ? await requireStripe().paymentMethods.retrieve(setupIntent.payment_method)
    : setupIntent.payment_method;
  return savePaymentMethod(client, customerId, paymentMethod);
}

/** Records a card Stripe holds for the customer; the first one becomes the default. Saving it again changes nothing. */
export async function savePaymentMethod(client: Db, customerId: string, paymentMethod: Stripe.PaymentMethod): Promise<PaymentMethod> {
  const card = paymentMethod.card;
  const fields = { brand: card?.brand ?? paymentMethod.type, last4: card?.last4 ?? null, expMonth: card?.exp_month ?? null, expYear: card?.exp_year ?? null };
  return client.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT id FROM "Customer" WHERE id = ${customerId}::uuid FOR UPDATE`;
    const existing = await tx.paymentMethod.findUnique({ where: { providerPaymentMethodId: paymentMethod.id } });
    if (existing) {
      if (existing.customerId !== customerId) throw new DomainError("conflict", "payment_method_of_another_customer");
      return tx.paymentMethod.update({ where: { id: existing.id }, data: fields });
    }
    const hasDefault = (await tx.paymentMethod.count({ where: { customerId, isDefault: true } })) > 0;
    const saved = await tx.paymentMethod.create({ data: { customerId, providerPaymentMethodId: paymentMethod.id, isDefault: !hasDefault, ...fields } });
    await tx.auditLog.create({ data: { actorType: "customer", actorId: customerId, action: "payment_method.saved", entityType: "Customer", entityId: customerId, data: { last4: fields.last4, brand: fields.brand } } });
    return saved;
  });
}

export function listPaymentMethods(client: Db, customerId: string): Promise<PaymentMethod[]> {
  return client.paymentMethod.findMany({ where: { customerId }, orderBy: [{ isDefault: "desc" }, { createdAt: "asc" }] });
}

export async function setDefaultPaymentMethod(client: Db, customerId: string, paymentMethodId: string): Promise<void> {
  await client.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT id FROM "Customer" WHERE id = ${customerId}::uuid FOR UPDATE`;
    const method = await tx.paymentMethod.findFirst({ where: { id: paymentMethodId, customerId } });
    if (!method) throw entityNotFound("payment_method");
    await tx.paymentMethod.updateMany({ where: { customerId, isDefault: true }, data: { isDefault: false } });
    await tx.paymentMethod.update({ where: { id: method.id }, data: { isDefault: true } });
  });
}

/** Detaches the card at Stripe and forgets it; when it was the default, the oldest remaining card becomes the default. */
export async function removePaymentMethod(client: Db, customerId: string, paymentMethodId: string): Promise<void> {
  const method = await client.paymentMethod.findFirst({ where: { id: paymentMethodId, customerId } });
  if (!method) throw entityNotFound("payment_method");
  try {
    await requireStripe().paymentMethods.detach(method.providerPaymentMethodId);
  } catch (error) {
    if ((error as { code?: string }).code !== "resource_missing" && !/not attached/i.test((error as Error).message)) throw error;
  }
  await forgetPaymentMethod(client, method.providerPaymentMethodId);
}

/** Removes a card Stripe no longer holds (detached here or in Stripe's dashboard). */
export async function forgetPaymentMethod(client: Db, providerPaymentMethodId: string): Promise<boolean> {
  return client.$transaction(async (tx) => {
    const method = await tx.paymentMethod.findUnique({ where: { providerPaymentMethodId } });
    if (!method) return false;
    await tx.$executeRaw`SELECT id FROM "Customer" WHERE id = ${method.customerId}::uuid FOR UPDATE`;
    // The portal's "Remove" and Stripe's payment_method.detached race for the same row: whoever comes second finds it gone.
    const { count } = await tx.paymentMethod.deleteMany({ where: { id: method.id } });
    if (count === 0) return false;
    if (method.isDefault) {
      const next = await tx.paymentMethod.findFirst({ where: { customerId: method.customerId }, orderBy: { createdAt: "asc" } });
      if (next) await tx.paymentMethod.update({ where: { id: next.id }, data: { isDefault: true } });
    }
    await tx.auditLog.create({ data: { actorType: "customer", actorId: method.customerId, action: "payment_method.removed", entityType: "Customer", entityId: method.customerId, data: { last4: method.last4 } } });
    return true;
  });
}
