// Stripe's test cards: the `pm_card_*` tokens and card numbers the server knows, and how their charges end.
import { createHash } from "node:crypto";
import { StripeApiError } from "./http";
import { newId, nowSeconds, type StripeObject } from "./store";

/**
 * How charges on a card end: `authenticate` cards need 3D Secure on every payment (402 `authentication_required`
 * off-session, `requires_action` on-session); `lost_card`/`stolen_card` are hard declines whose advice is
 * `do_not_try_again`; `refund_fails` charges succeed but their refunds end `failed`; `processing` leaves the intent
 * `processing` until the test settles it; `dispute` charges succeed and are disputed at once.
 */
export type CardBehaviour = "succeed" | "decline" | "insufficient_funds" | "authenticate" | "lost_card" | "stolen_card" | "refund_fails" | "processing" | "dispute";

interface TestCard {
  number: string;
  brand: "visa" | "mastercard" | "amex";
  funding: "credit" | "debit";
  country: string;
  behaviour: CardBehaviour;
}

const testCards: TestCard[] = [
  { number: "4242424242424242", brand: "visa", funding: "credit", country: "US", behaviour: "succeed" },
  { number: "4000056655665556", brand: "visa", funding: "debit", country: "US", behaviour: "succeed" },
  { number: "5555555555554444", brand: "mastercard", funding: "credit", country: "US", behaviour: "succeed" },
  { number: "378282246310005", brand: "amex", funding: "credit", country: "US", behaviour: "succeed" },
  { number: "4000001240000000", brand: "visa", funding: "credit", country: "CA", behaviour: "succeed" },
  { number: "4000000000000341", brand: "visa", funding: "credit", country: "US", behaviour: "decline" },
  { number: "4000000000009995", brand: "visa", funding: "credit", country: "US", behaviour: "insufficient_funds" },
  { number: "4000002760003184", brand: "visa", funding: "credit", country: "US", behaviour: "authenticate" },
  { number: "4000000000009987", brand: "visa", funding: "credit", country: "US", behaviour: "lost_card" },
  { number: "4000000000009979", brand: "visa", funding: "credit", country: "US", behaviour: "stolen_card" },
  { number: "4000000000005126", brand: "visa", funding: "credit", country: "US", behaviour: "refund_fails" },
  { number: "4000000000000259", brand: "visa", funding: "credit", country: "US", behaviour: "dispute" },
];

/** Test payment method tokens usable wherever a PaymentMethod id is (attach, payment and setup intents). */
const testTokens: Record<string, string> = {
  pm_card_visa: "4242424242424242",
  pm_card_visa_debit: "4000056655665556",
  pm_card_mastercard: "5555555555554444",
  pm_card_amex: "378282246310005",
  pm_card_ca: "4000001240000000",
  pm_card_chargeDeclined: "4000000000000341",
  pm_card_chargeCustomerFail: "4000000000000341",
  pm_card_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_authenticationRequired: "4000002760003184",
  pm_card_chargeDeclinedLostCard: "4000000000009987",
  pm_card_chargeDeclinedStolenCard: "4000000000009979",
  pm_card_refundFail: "4000000000005126",
  pm_card_createDispute: "4000000000000259",
};

export function testCardForToken(token: string): TestCard | undefined {
  const number = testTokens[token];
  return number ? testCards.find((c) => c.number === number) : undefined;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 12 && sum % 10 === 0;
}

export type CardNumberCheck = { ok: true; card: TestCard } | { ok: false; message: string };

/** What the hosted page says about a typed card number. */
export function checkCardNumber(input: string): CardNumberCheck {
  const digits = input.replace(/[\s-]/g, "");
  if (!/^\d+$/.test(digits) || !luhnValid(digits)) return { ok: false, message: "Your card number is invalid." };
  const card = testCards.find((c) => c.number === digits);
  if (!card) {
    return { ok: false, message: "Your card was declined. This is a test server: use a Stripe test card such as 4242 4242 4242 4242." };
  }
  return { ok: true, card };
}

export function paymentMethodFromCard(card: TestCard, expMonth: number, expYear: number, billingName: string | null = null): StripeObject {
  return {
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      email: null,
      name: billingName,
      phone: null,
    },
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
      country: card.country,
      display_brand: card.brand,
      exp_month: expMonth,
      exp_year: expYear,
      fingerprint: createHash("sha256").update(card.number).digest("base64url").slice(0, 16),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: nowSeconds(),
    customer: null,
    livemode: false,
    metadata: {},
    type: "card",
  };
}

/** A token's card with the usual test expiry (next year, month 12). */
export function paymentMethodFromToken(card: TestCard): StripeObject {
  return paymentMethodFromCard(card, 12, new Date().getUTCFullYear() + 1);
}

export interface Decline {
  code: "card_declined";
  declineCode: "generic_decline" | "insufficient_funds" | "lost_card" | "stolen_card";
  /** Stripe's advice to the merchant (`do_not_try_again` for cards reported lost or stolen). */
  adviceCode: "try_again_later" | "do_not_try_again" | null;
  message: string;
}

/** The decline a charge on a card with this behaviour ends in, or null when the issuer approves it. */
export function declineFor(behaviour: CardBehaviour): Decline | null {
  switch (behaviour) {
    case "decline":
      return { code: "card_declined", declineCode: "generic_decline", adviceCode: null, message: "Your card was declined." };
    case "insufficient_funds":
      return { code: "card_declined", declineCode: "insufficient_funds", adviceCode: "try_again_later", message: "Your card has insufficient funds." };
    case "lost_card":
      return { code: "card_declined", declineCode: "lost_card", adviceCode: "do_not_try_again", message: "Your card was declined." };
    case "stolen_card":
      return { code: "card_declined", declineCode: "stolen_card", adviceCode: "do_not_try_again", message: "Your card was declined." };
    default:
      return null;
  }
}

/**
 * The payment method types asked for with `allowed_payment_method_types[]` (`payment_method_types` is gone in this
 * API version and refused as an unknown parameter). Only cards are supported; without the parameter an intent takes
 * the methods enabled in the Dashboard (see DASHBOARD_PAYMENT_METHOD_TYPES).
 */
export function cardPaymentMethodTypes(params: Record<string, unknown>): string[] {
  for (const name of ["allowed_payment_method_types"]) {
    const types = params[name];
    if (types === undefined) continue;
    const list = Array.isArray(types) ? types : [types];
    const unsupported = list.find((t) => t !== "card");
    if (unsupported !== undefined) {
      throw new StripeApiError(400, {
        type: "invalid_request_error",
        message: `The payment method type "${String(unsupported)}" is invalid. This local test server supports "card" only.`,
        param: name,
      });
    }
  }
  return ["card"];
}

/** What an account's Dashboard typically enables: an intent that does not restrict its methods may use any of them. */
export const DASHBOARD_PAYMENT_METHOD_TYPES = ["card", "link", "acss_debit"];
