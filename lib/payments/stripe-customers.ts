import type { Db } from "@/lib/db/prisma";
import { entityNotFound } from "@/lib/errors";
import { requireStripe } from "./stripe-client";

/**
 * The customer's Stripe customer id, creating the Stripe customer on first use. The idempotency key makes two
 * concurrent first uses create one Stripe customer.
 */
export async function ensureStripeCustomer(client: Db, customerId: string): Promise<string> {
  const customer = await client.customer.findFirst({ where: { id: customerId, deletedAt: null } });
  if (!customer) throw entityNotFound("customer");
  if (customer.stripeCustomerId) return customer.stripeCustomerId;
  const created = await requireStripe().customers.create(
    {
      name: customer.legalName,
      email: customer.email ?? undefined,
      preferred_locales: ["en-CA"],
      address: customer.addressLine1
        ? { line1: customer.addressLine1, line2: customer.addressLine2 ?? undefined, city: customer.city ?? undefined, state: customer.province ?? undefined, postal_code: customer.postalCode ?? undefined, country: customer.country }
        : undefined,
      metadata: { nexa_customer_id: customer.id },
    },
    { idempotencyKey: `nexa-customer-${customer.id}` },
  );
  const updated = await client.customer.updateMany({ where: { id: customer.id, stripeCustomerId: null }, data: { stripeCustomerId: created.id } });
  if (updated.count === 0) {
    const current = await client.customer.findUniqueOrThrow({ where: { id: customer.id } });
    return current.stripeCustomerId!;
  }
  return created.id;
}
