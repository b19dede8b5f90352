import { startCardSetup } from "@/lib/payments/payment-methods";
import { testDb } from "./api-fixture";

/** Stripe's test card numbers the local Stripe server knows. */
export const TEST_CARDS = { visa: "4242424242424242", chargeDeclined: "4000000000000341", insufficientFunds: "4000000000009995" } as const;

/**
 * Saves a card the way a customer does: the app opens a Checkout session, the card is typed on Stripe's (here: the
 * local Stripe server's) page, Stripe tells the app through its signed webhook and sends the customer back.
 */
export async function saveCardThroughCheckout(customerId: string, cardNumber: string): Promise<void> {
  const url = await startCardSetup(testDb(), customerId, { successUrl: "http://127.0.0.1:9/back?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://127.0.0.1:9/cancel" });
  const response = await fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card_number: cardNumber, expiry: "12 / 34", cvc: "123" }).toString(),
  });
  if (response.status !== 303) throw new Error(`Checkout refused the card: ${response.status} ${await response.text()}`);
}
