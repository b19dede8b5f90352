import Stripe from "stripe";

/**
 * What an error from the Stripe SDK means for a charge attempt:
 * - declined: the bank said no (card_error); `hard` when retrying the same card is pointless or forbidden (Stripe's
 *   advice_code do_not_try_again, or a card reported lost, stolen or closed).
 * - authentication_required: the card needs 3D Secure and the customer is not there — ask them to pay, not a decline.
 * - amount_out_of_range: Stripe's minimum or maximum charge; no card can pay it.
 * - card_unusable: Stripe refused the card itself (detached, missing): nothing charged; the customer needs a new card.
 * - configuration: a revoked, wrong or restricted key (401/403), a key reused with other parameters (idempotency_error)
 *   or a request Stripe does not accept — a person must fix it; retrying changes nothing.
 * - no_answer: no answer, a 5xx or rate limit — the charge may or may not exist; look it up, never guess.
 */
export type StripeFailure =
  | { kind: "declined"; code: string; declineCode: string | null; adviceCode: string | null; hard: boolean; message: string; paymentIntentId: string | null }
  | { kind: "authentication_required"; message: string; paymentIntentId: string | null }
  | { kind: "amount_out_of_range"; code: string; message: string }
  | { kind: "card_unusable"; code: string; message: string }
  | { kind: "configuration"; code: string; message: string; status: number | null }
  | { kind: "no_answer"; code: string; message: string; status: number | null };

/** Decline codes that mean the card will never work again (Stripe's "hard declines"). */
export const HARD_DECLINE_CODES = new Set(["lost_card", "stolen_card", "pickup_card", "restricted_card", "invalid_account", "new_account_information_available", "revocation_of_all_authorizations", "revocation_of_authorization", "stop_payment_order", "merchant_blacklist", "fraudulent", "incorrect_number", "expired_card"]);

export function isHardDecline(declineCode: string | null | undefined, adviceCode: string | null | undefined): boolean {
  return adviceCode === "do_not_try_again" || (declineCode != null && HARD_DECLINE_CODES.has(declineCode));
}

type RawError = {
  type?: string;
  code?: string;
  decline_code?: string;
  advice_code?: string;
  message?: string;
  statusCode?: number;
  raw?: { advice_code?: string };
  payment_intent?: { id: string };
};

export function classifyStripeError(error: unknown): StripeFailure {
  const e = (error ?? {}) as RawError;
  const message = e.message ?? "Stripe refused the request";
  const status = e.statusCode ?? null;
  const paymentIntentId = e.payment_intent?.id ?? null;
  if (error instanceof Stripe.errors.StripeCardError || e.type === "StripeCardError") {
    if (e.code === "authentication_required" || e.decline_code === "authentication_required") return { kind: "authentication_required", message, paymentIntentId };
    const adviceCode = e.advice_code ?? e.raw?.advice_code ?? null;
    const declineCode = e.decline_code ?? null;
    return { kind: "declined", code: declineCode ?? e.code ?? "card_declined", declineCode, adviceCode, hard: isHardDecline(declineCode, adviceCode), message, paymentIntentId };
  }
  if (e.type === "StripeAuthenticationError" || e.type === "StripePermissionError" || status === 401 || status === 403) {
    return { kind: "configuration", code: status === 403 ? "stripe_permission_denied" : "stripe_key_rejected", message, status };
  }
  if (e.type === "StripeIdempotencyError" || (status === 400 && e.type === "idempotency_error")) return { kind: "configuration", code: "idempotency_error", message, status };
  if (e.type === "StripeInvalidRequestError") {
    if (status === 409 || e.code === "idempotency_key_in_use") return { kind: "no_answer", code: "idempotency_key_in_use", message, status };
    if (e.code === "amount_too_small" || e.code === "amount_too_large") return { kind: "amount_out_of_range", code: e.code, message };
    if (e.code === "payment_method_unexpected_state" || e.code === "resource_missing" || e.code === "payment_intent_unexpected_state") return { kind: "card_unusable", code: e.code, message };
    return { kind: "configuration", code: e.code ?? "invalid_request", message, status };
  }
  return { kind: "no_answer", code: status && status >= 500 ? "stripe_api_error" : "no_response", message, status };
}
