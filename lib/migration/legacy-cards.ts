/**
 * Adopting the old system's Stripe customers: an imported customer's metadata keeps the Stripe customer id the old
 * system charged; at cutover that Stripe customer becomes the customer's own, and the cards saved on it are recorded as
 * its payment methods, so customers are charged on the cards they already gave without entering them again.
 */
import type Stripe from "stripe";

export interface LegacyStripeCustomer {
  stripeCustomerId: string;
  /** Cards saved on it, the old system's default first. */
  cards: Stripe.PaymentMethod[];
  /** Why it cannot be adopted, or null. */
  problem: string | null;
}

/** Reads the Stripe customer and its cards; never changes anything at Stripe. */
export async function inspectLegacyStripeCustomer(stripe: Stripe, stripeCustomerId: string): Promise<LegacyStripeCustomer> {
  let customer: Stripe.Customer | Stripe.DeletedCustomer;
  try {
    customer = await stripe.customers.retrieve(stripeCustomerId);
  } catch (error) {
    return { stripeCustomerId, cards: [], problem: `Stripe does not know customer ${stripeCustomerId} (${(error as Error).message}).` };
  }
  if ((customer as Stripe.DeletedCustomer).deleted) return { stripeCustomerId, cards: [], problem: `Stripe customer ${stripeCustomerId} is deleted.` };
  const list = await stripe.paymentMethods.list({ customer: stripeCustomerId, type: "card", limit: 100 });
  const defaultId = (() => {
    const value = (customer as Stripe.Customer).invoice_settings?.default_payment_method;
    return typeof value === "string" ? value : (value?.id ?? null);
  })();
  const cards = [...list.data].sort((a, b) => Number(b.id === defaultId) - Number(a.id === defaultId));
  if (cards.length === 0) return { stripeCustomerId, cards, problem: `Stripe customer ${stripeCustomerId} has no saved card.` };
  return { stripeCustomerId, cards, problem: null };
}
