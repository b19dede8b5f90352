// PaymentIntents (confirmed off-session against saved cards), their charges, and refunds.
import { randomBytes } from "node:crypto";
import { cardPaymentMethodTypes, DASHBOARD_PAYMENT_METHOD_TYPES, declineFor } from "./cards";
import type { ApiRequest, Handler, ServerState } from "./context";
import { liveCustomer, resolvePaymentMethod } from "./customers";
import { applyMetadata, booleanParam, integerParam, invalidRequest, stringParam, StripeApiError, type Params } from "./http";
import { newId, nowSeconds, type StripeObject } from "./store";

type Origin = ApiRequest["origin"];

function dollars(cents: number, currency: string): string {
  return `$${(cents / 100).toFixed(2)} ${currency}`;
}

function positiveAmount(params: Params, name: string): number | undefined {
  const amount = integerParam(params, name);
  if (amount !== undefined && amount <= 0) throw invalidRequest("This value must be greater than or equal to 1.", name);
  return amount;
}

/** Sets the intent's payment method, refusing one saved for another customer, or detached, as Stripe does. */
function setPaymentMethod(state: ServerState, intent: StripeObject, pmId: string): void {
  const pm = resolvePaymentMethod(state, pmId, "payment_method");
  if (state.detached.has(pm.id)) {
    throw invalidRequest(
      "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.",
      "payment_method",
      "payment_method_unexpected_state",
    );
  }
  if (pm.customer && intent.customer !== pm.customer) {
    throw invalidRequest(
      intent.customer
        ? `The provided PaymentMethod (${pm.id}) is attached to another Customer than the one on this PaymentIntent (${String(intent.customer)}).`
        : `The PaymentMethod ${pm.id} belongs to the Customer ${String(pm.customer)}. Please include the Customer in the \`customer\` parameter on the PaymentIntent.`,
      "payment_method",
    );
  }
  intent.payment_method = pm.id;
}

interface ChargeFailure {
  code: string;
  message: string;
  declineCode: string;
  adviceCode: string | null;
}

function newCharge(intent: StripeObject, pm: StripeObject, outcome: { failure: ChargeFailure | null }): StripeObject {
  const card = pm.card as Params;
  const failed = outcome.failure !== null;
  return {
    id: newId("ch"),
    object: "charge",
    amount: intent.amount,
    amount_captured: failed ? 0 : intent.amount,
    amount_refunded: 0,
    balance_transaction: failed ? null : newId("txn"),
    billing_details: pm.billing_details,
    calculated_statement_descriptor: "NEXA BILLING",
    captured: !failed,
    created: nowSeconds(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_code: outcome.failure?.code ?? null,
    failure_message: outcome.failure?.message ?? null,
    livemode: false,
    metadata: structuredClone(intent.metadata),
    outcome: failed
      ? {
          advice_code: outcome.failure!.adviceCode,
          network_status: "declined_by_network",
          reason: outcome.failure!.declineCode,
          risk_level: "normal",
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        }
      : { network_status: "approved_by_network", reason: null, risk_level: "normal", seller_message: "Payment complete.", type: "authorized" },
    paid: !failed,
    payment_intent: intent.id,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        brand: card.brand,
        checks: card.checks,
        country: card.country,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        fingerprint: card.fingerprint,
        funding: card.funding,
        last4: card.last4,
        network: card.brand,
        three_d_secure: null,
        wallet: null,
      },
      type: "card",
    },
    receipt_email: null,
    receipt_url: null,
    refunded: false,
    status: failed ? "failed" : "succeeded",
  };
}

/** `off_session=true` (or Stripe's `one_off`/`recurring`): the customer is not there to authenticate. */
function offSessionParam(params: Params): boolean | undefined {
  const value = stringParam(params, "off_session");
  if (value === undefined) return undefined;
  if (value === "one_off" || value === "recurring") return true;
  return booleanParam(params, "off_session");
}

/**
 * Charges the intent's card. A decline (or, off-session, a card that needs authentication) leaves it
 * `requires_payment_method` and answers 402 like Stripe; on-session, a card that needs authentication leaves it
 * `requires_action` with the test 3D Secure page as its next action.
 */
function confirm(state: ServerState, intent: StripeObject, params: Params, origin: Origin): void {
  const status = String(intent.status);
  if (!["requires_payment_method", "requires_confirmation", "requires_action"].includes(status)) {
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${status}.`,
      undefined,
      "payment_intent_unexpected_state",
    );
  }
  const pmParam = stringParam(params, "payment_method");
  if (pmParam) setPaymentMethod(state, intent, pmParam);
  if (!intent.payment_method) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method attached to this customer along with the customer ID.",
      "payment_method",
      "payment_intent_unexpected_state",
    );
  }
  const returnUrl = stringParam(params, "return_url");
  const allowRedirects = ((intent.automatic_payment_methods as Params | null)?.allow_redirects as string | undefined) ?? "always";
  if (!intent.allowed_payment_method_types && !returnUrl && allowRedirects !== "never") {
    throw invalidRequest(
      "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, because automatic_payment_methods is enabled. Some of these payment methods may redirect your customer off of your page. You must provide a `return_url` when confirming using automatic_payment_methods[enabled]=true.",
      "return_url",
    );
  }
  const offSession = offSessionParam(params) ?? false;
  const pm = state.store.get("pm", String(intent.payment_method), "payment_method");
  if (state.detached.has(pm.id)) setPaymentMethod(state, intent, pm.id);
  const behaviour = state.behaviours.get(pm.id) ?? "succeed";
  if (behaviour === "authenticate") {
    if (offSession) {
      failCharge(state, intent, pm, { code: "authentication_required", declineCode: "authentication_required", adviceCode: null, message: "Your card was declined. This transaction requires authentication." }, origin);
    }
    intent.status = "requires_action";
    intent.next_action = returnUrl
      ? { type: "redirect_to_url", redirect_to_url: { url: `${state.baseUrl}/authenticate/${intent.id}`, return_url: returnUrl } }
      : { type: "use_stripe_sdk", use_stripe_sdk: { type: "three_d_secure_redirect", stripe_js: `${state.baseUrl}/authenticate/${intent.id}` } };
    state.webhooks.emit("payment_intent.requires_action", intent, origin);
    return;
  }
  chargeCard(state, intent, pm, origin);
}

/** Charges the card of an intent (confirmed, or authenticated on the 3D Secure page). */
export function chargeCard(state: ServerState, intent: StripeObject, pm: StripeObject, origin?: Origin, behaviour = state.behaviours.get(pm.id) ?? "succeed"): void {
  const decline = declineFor(behaviour);
  if (decline) failCharge(state, intent, pm, decline, origin);
  intent.next_action = null;
  if (behaviour === "processing") {
    intent.status = "processing";
    intent.processing = { card: { customer_notification: null }, type: "card" };
    state.webhooks.emit("payment_intent.processing", intent, origin);
    return;
  }
  const charge = state.store.insert(newCharge(intent, pm, { failure: null }));
  intent.latest_charge = charge.id;
  intent.status = "succeeded";
  intent.amount_received = intent.amount;
  intent.processing = null;
  state.webhooks.emit("charge.succeeded", charge, origin);
  state.webhooks.emit("payment_intent.succeeded", intent, origin);
  if (behaviour === "dispute") openDispute(state, charge);
}

/** Records a failed charge, sends its events and throws Stripe's 402 card_error. */
function failCharge(state: ServerState, intent: StripeObject, pm: StripeObject, decline: ChargeFailure, origin?: Origin): never {
  const charge = state.store.insert(newCharge(intent, pm, { failure: decline }));
  intent.latest_charge = charge.id;
  intent.status = "requires_payment_method";
  intent.next_action = null;
  intent.payment_method = null;
  const docUrl = `https://stripe.com/docs/error-codes/${decline.code.replaceAll("_", "-")}`;
  const error = {
    advice_code: decline.adviceCode ?? undefined,
    charge: charge.id,
    code: decline.code,
    decline_code: decline.declineCode,
    doc_url: docUrl,
    message: decline.message,
    payment_method: structuredClone(pm),
    type: "card_error" as const,
  };
  intent.last_payment_error = structuredClone(error);
  state.webhooks.emit("charge.failed", charge, origin);
  state.webhooks.emit("payment_intent.payment_failed", intent, origin);
  throw new StripeApiError(402, { ...error, payment_intent: state.store.render(intent), request_log_url: null });
}

/** Ends an intent left `requires_action` by the test 3D Secure page: authenticated (then charged) or failed. */
export function finishAuthentication(state: ServerState, intent: StripeObject, outcome: "complete" | "fail"): void {
  if (intent.status !== "requires_action") return;
  const pm = state.store.get("pm", String(intent.payment_method), "payment_method");
  if (outcome === "complete") {
    try {
      chargeCard(state, intent, pm);
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e;
    }
    return;
  }
  intent.status = "requires_payment_method";
  intent.next_action = null;
  intent.payment_method = null;
  intent.last_payment_error = {
    code: "payment_intent_authentication_failure",
    doc_url: "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
    message: "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    payment_method: structuredClone(pm),
    type: "invalid_request_error",
  };
  state.webhooks.emit("payment_intent.payment_failed", intent);
}

/** Settles an intent left `processing` (test control): it succeeds, or fails as a decline would. */
export function settleProcessing(state: ServerState, intent: StripeObject, outcome: "succeeded" | "failed"): void {
  if (intent.status !== "processing") throw invalidRequest(`PaymentIntent ${intent.id} is not processing.`, undefined, "payment_intent_unexpected_state");
  const pm = state.store.get("pm", String(intent.payment_method), "payment_method");
  intent.processing = null;
  if (outcome === "succeeded") {
    chargeCard(state, intent, pm, undefined, "succeed");
    return;
  }
  try {
    failCharge(state, intent, pm, { code: "card_declined", declineCode: "generic_decline", adviceCode: null, message: "Your card was declined." });
  } catch (e) {
    if (!(e instanceof StripeApiError)) throw e;
  }
}

/** A dispute on a charge paid with the dispute test card: opened at once, funds withdrawn. */
function openDispute(state: ServerState, charge: StripeObject): void {
  charge.disputed = true;
  const dispute = state.store.insert({
    id: newId("dp"),
    object: "dispute",
    amount: charge.amount,
    balance_transactions: [],
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {},
    evidence_details: { due_by: nowSeconds() + 7 * 24 * 3600, has_evidence: false, past_due: false, submission_count: 0, enhanced_eligibility: {} },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: { card: { brand: "visa", case_type: "chargeback", network_reason_code: "10.4" }, type: "card" },
    reason: "fraudulent",
    status: "needs_response",
  });
  state.webhooks.emit("charge.dispute.created", dispute);
  state.webhooks.emit("charge.dispute.funds_withdrawn", dispute);
}

/** Closes a dispute (test control): won (funds reinstated) or lost. */
export function closeDispute(state: ServerState, dispute: StripeObject, outcome: "won" | "lost"): void {
  if (dispute.status === "won" || dispute.status === "lost") throw invalidRequest(`Dispute ${dispute.id} is already closed.`);
  dispute.status = outcome;
  state.webhooks.emit("charge.dispute.closed", dispute);
  if (outcome === "won") state.webhooks.emit("charge.dispute.funds_reinstated", dispute);
}

function automaticRedirects(params: Params): string {
  const automatic = params.automatic_payment_methods as Params | undefined;
  return typeof automatic?.allow_redirects === "string" ? automatic.allow_redirects : "always";
}

export const createPaymentIntent: Handler = (state, { params, expand, origin }) => {
  const amount = positiveAmount(params, "amount");
  if (amount === undefined) throw invalidRequest("Missing required param: amount.", "amount", "parameter_missing");
  const currency = stringParam(params, "currency")?.toLowerCase();
  if (!currency) throw invalidRequest("Missing required param: currency.", "currency", "parameter_missing");
  if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, "currency");
  if (amount < 50) throw invalidRequest(`Amount must be at least ${dollars(50, currency)}`, "amount", "amount_too_small");
  const customer = stringParam(params, "customer");
  if (customer) liveCustomer(state, customer, "customer");
  const id = newId("pi");
  const intent: StripeObject = {
    id,
    object: "payment_intent",
    allowed_payment_method_types: params.allowed_payment_method_types ? ["card"] : null,
    amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: params.allowed_payment_method_types ? null : { allow_redirects: automaticRedirects(params), enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: "automatic_async",
    client_secret: `${id}_secret_${randomBytes(12).toString("hex")}`,
    confirmation_method: "automatic",
    created: nowSeconds(),
    currency,
    customer: customer ?? null,
    customer_account: null,
    description: stringParam(params, "description") ?? null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: applyMetadata({}, params),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: params.allowed_payment_method_types ? cardPaymentMethodTypes(params) : DASHBOARD_PAYMENT_METHOD_TYPES,
    processing: null,
    receipt_email: stringParam(params, "receipt_email") ?? null,
    review: null,
    setup_future_usage: stringParam(params, "setup_future_usage") ?? null,
    shipping: null,
    source: null,
    statement_descriptor: stringParam(params, "statement_descriptor") ?? null,
    statement_descriptor_suffix: null,
    status: "requires_payment_method",
    transfer_data: null,
    transfer_group: null,
  };
  const pmId = stringParam(params, "payment_method");
  if (pmId) {
    setPaymentMethod(state, intent, pmId);
    intent.status = "requires_confirmation";
  }
  const shouldConfirm = booleanParam(params, "confirm") ?? false;
  if (offSessionParam(params) !== undefined && !shouldConfirm) {
    throw invalidRequest("off_session can only be used when confirm=true.", "off_session");
  }
  if (stringParam(params, "return_url") !== undefined && !shouldConfirm) {
    throw invalidRequest("return_url can only be used when confirm=true.", "return_url");
  }
  state.store.insert(intent);
  state.webhooks.emit("payment_intent.created", intent, origin);
  if (shouldConfirm) confirm(state, intent, { off_session: params.off_session, return_url: params.return_url }, origin);
  return state.store.render(intent, expand);
};

/** `created[gte]=…&created[lt]=…` (or `created=<exact>`), in Unix seconds. */
function createdRange(params: Params): (created: number) => boolean {
  const value = params.created;
  if (value === undefined) return () => true;
  if (typeof value === "string") return (c) => c === Number(value);
  const range = value as Record<string, string>;
  const bound = (name: string) => (range[name] === undefined ? null : Number(range[name]));
  const [gt, gte, lt, lte] = ["gt", "gte", "lt", "lte"].map(bound);
  return (c) => (gt === null || c > gt) && (gte === null || c >= gte) && (lt === null || c < lt) && (lte === null || c <= lte);
}

export const retrievePaymentIntent: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("pi", id), expand);

export const listPaymentIntents: Handler = (state, { params, expand }) => {
  const customer = stringParam(params, "customer");
  if (customer) liveCustomer(state, customer, "customer");
  const created = createdRange(params);
  const items = state.store.all("pi").filter((pi) => (!customer || pi.customer === customer) && created(pi.created));
  return state.store.list(items, params, "/v1/payment_intents", expand);
};

export const confirmPaymentIntent: Handler = (state, { ids: [id], params, expand, origin }) => {
  const intent = state.store.get("pi", id);
  confirm(state, intent, params, origin);
  return state.store.render(intent, expand);
};

const cancelable = ["requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing"];

export const cancelPaymentIntent: Handler = (state, { ids: [id], params, expand, origin }) => {
  const intent = state.store.get("pi", id);
  if (!cancelable.includes(String(intent.status))) {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${String(intent.status)}. Only a PaymentIntent with one of the following statuses may be canceled: ${cancelable.join(", ")}.`,
      undefined,
      "payment_intent_unexpected_state",
    );
  }
  const reason = stringParam(params, "cancellation_reason");
  if (reason && !["duplicate", "fraudulent", "requested_by_customer", "abandoned"].includes(reason)) {
    throw invalidRequest(`Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned`, "cancellation_reason");
  }
  intent.status = "canceled";
  intent.canceled_at = nowSeconds();
  intent.cancellation_reason = reason ?? null;
  state.webhooks.emit("payment_intent.canceled", intent, origin);
  return state.store.render(intent, expand);
};

/** As on Stripe (API 2022-11-15 onwards), a charge carries its `refunds` list only when asked with `expand[]=refunds`. */
export const retrieveCharge: Handler = (state, { ids: [id], expand }) => {
  const charge = state.store.render(state.store.get("ch", id), expand.filter((p) => p !== "refunds"));
  if (expand.includes("refunds")) {
    const refunds = state.store.all("re").filter((r) => r.charge === id);
    charge.refunds = state.store.list(refunds, { limit: "100" }, `/v1/charges/${id}/refunds`);
  }
  return charge;
};

export const listCharges: Handler = (state, { params, expand }) => {
  const customer = stringParam(params, "customer");
  const intent = stringParam(params, "payment_intent");
  const items = state.store.all("ch").filter((c) => (!customer || c.customer === customer) && (!intent || c.payment_intent === intent));
  return state.store.list(items, params, "/v1/charges", expand);
};

export const createRefund: Handler = (state, { params, expand, origin }) => {
  const intentId = stringParam(params, "payment_intent");
  const chargeId = stringParam(params, "charge");
  let charge: StripeObject;
  if (intentId) {
    const intent = state.store.get("pi", intentId, "payment_intent");
    if (intent.status !== "succeeded" || !intent.latest_charge) {
      throw invalidRequest(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, "payment_intent");
    }
    charge = state.store.get("ch", String(intent.latest_charge), "charge");
    if (chargeId && chargeId !== charge.id) throw invalidRequest(`The charge ${chargeId} does not belong to the PaymentIntent ${intentId}.`, "charge");
  } else if (chargeId) {
    charge = state.store.get("ch", chargeId, "charge");
  } else {
    throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", undefined, "parameter_missing");
  }
  if (charge.status !== "succeeded") throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, "charge");
  if (charge.refunded) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, "charge", "charge_already_refunded");
  const refundable = Number(charge.amount) - Number(charge.amount_refunded);
  const amount = positiveAmount(params, "amount") ?? refundable;
  const currency = String(charge.currency);
  if (amount > refundable) {
    throw invalidRequest(
      `Refund amount (${dollars(amount, currency)}) is greater than unrefunded amount on charge (${dollars(refundable, currency)})`,
      "amount",
      "amount_too_large",
    );
  }
  const reason = stringParam(params, "reason") ?? null;
  if (reason !== null && !["duplicate", "fraudulent", "requested_by_customer"].includes(reason)) {
    throw invalidRequest("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer", "reason");
  }
  const refund = state.store.insert({
    id: newId("re"),
    object: "refund",
    amount,
    balance_transaction: newId("txn"),
    charge: charge.id,
    created: nowSeconds(),
    currency,
    customer: charge.customer,
    customer_account: null,
    destination_details: { card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" }, type: "card" },
    metadata: applyMetadata({}, params),
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
  });
  charge.amount_refunded = Number(charge.amount_refunded) + amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  state.webhooks.emit("charge.refunded", charge, origin);
  state.webhooks.emit("refund.created", refund, origin);
  // Stripe's 4000 0000 0000 5126: the refund starts succeeded, then fails a little later (the card was closed).
  if (state.behaviours.get(String(charge.payment_method)) === "refund_fails") setTimeout(() => failRefund(state, refund), REFUND_FAILS_AFTER_MS).unref();
  return state.store.render(refund, expand);
};

const REFUND_FAILS_AFTER_MS = 300;

/** A refund the bank could not pay out: `failed`, its amount back on the charge, and refund.failed sent. */
export function failRefund(state: ServerState, refund: StripeObject): void {
  if (refund.status === "failed" || refund.status === "canceled") return;
  const charge = state.store.get("ch", String(refund.charge), "charge");
  refund.status = "failed";
  refund.failure_reason = "expired_or_canceled_card";
  refund.failure_balance_transaction = newId("txn");
  charge.amount_refunded = Number(charge.amount_refunded) - Number(refund.amount);
  charge.refunded = false;
  state.webhooks.emit("refund.updated", refund);
  state.webhooks.emit("refund.failed", refund);
  state.webhooks.emit("charge.refund.updated", refund);
}

export const retrieveRefund: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("re", id), expand);

export const listRefunds: Handler = (state, { params, expand }) => {
  const intent = stringParam(params, "payment_intent");
  const charge = stringParam(params, "charge");
  const items = state.store.all("re").filter((r) => (!intent || r.payment_intent === intent) && (!charge || r.charge === charge));
  return state.store.list(items, params, "/v1/refunds", expand);
};
