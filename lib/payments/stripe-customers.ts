import { createHash } from "node:crypto";
import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { entityNotFound } from "@/lib/errors";
import { requireStripe } from "./stripe-client";

/**
 * The idempotency key of a Stripe customer creation: the customer's id and a digest of exactly what is sent. Two
 * concurrent first uses send the same request and create one Stripe customer; after an edit of the name or address
 * the request differs and so does the key (Stripe refuses a key reused with other parameters for 24 hours).
 */
export function customerCreationKey(customerId: string, params: Stripe.CustomerCreateParams): string {
  const digest = createHash("sha256").update(JSON.stringify(params)).digest("hex").slice(0, 16);
  return `nexa-customer-${customerId}-${digest}`;
}

/**
 * The customer's Stripe customer id, creating the Stripe customer on first use. A Stripe customer created earlier for
 * it whose id we never stored (an answer lost past the idempotency key's 24 hours) is found by its metadata and reused
 * rather than duplicated.
 */
export async function ensureStripeCustomer(client: Db, customerId: string): Promise<string> {
  const customer = await client.customer.findFirst({ where: { id: customerId, deletedAt: null } });
  if (!customer) throw entityNotFound("customer");
  if (customer.stripeCustomerId) return customer.stripeCustomerId;
  const params: Stripe.CustomerCreateParams = {
    name: customer.legalName,
    email: customer.email ?? undefined,
    preferred_locales: ["en-CA"],
    address: customer.addressLine1
      ? { line1: customer.addressLine1, line2: customer.addressLine2 ?? undefined, city: customer.city ?? undefined, state: customer.province ?? undefined, postal_code: customer.postalCode ?? undefined, country: customer.country }
      : undefined,
    metadata: { nexa_customer_id: customer.id },
  };
  const earlier = await requireStripe().customers.search({ query: `metadata['nexa_customer_id']:'${customer.id}'`, limit: 1 });
  const created = earlier.data[0] ?? (await requireStripe().customers.create(params, { idempotencyKey: customerCreationKey(customer.id, params) }));
  const updated = await client.customer.updateMany({ where: { id: customer.id, stripeCustomerId: null }, data: { stripeCustomerId: created.id } });
  if (updated.count === 0) {
    const current = await client.customer.findUniqueOrThrow({ where: { id: customer.id } });
    return current.stripeCustomerId!;
  }
  return created.id;
}
