// PaymentIntents (confirmed off-session against saved cards), their charges, and refunds.
import { randomBytes } from "node:crypto";
import { cardPaymentMethodTypes, declineFor } from "./cards";
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

/** Sets the intent's payment method, refusing one saved for another customer as Stripe does. */
function setPaymentMethod(state: ServerState, intent: StripeObject, pmId: string): void {
  const pm = resolvePaymentMethod(state, pmId, "payment_method");
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

function newCharge(intent: StripeObject, pm: StripeObject, outcome: { failure: { code: string; message: string; declineCode: string } | null }): StripeObject {
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

/** Charges the intent's card; a decline leaves it `requires_payment_method` and answers 402 like Stripe. */
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
  const pm = state.store.get("pm", String(intent.payment_method), "payment_method");
  const decline = declineFor(state.behaviours.get(pm.id) ?? "succeed");
  const charge = state.store.insert(
    newCharge(intent, pm, { failure: decline && { code: decline.code, message: decline.message, declineCode: decline.declineCode } }),
  );
  intent.latest_charge = charge.id;
  if (!decline) {
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    state.webhooks.emit("charge.succeeded", charge, origin);
    state.webhooks.emit("payment_intent.succeeded", intent, origin);
    return;
  }
  intent.status = "requires_payment_method";
  intent.payment_method = null;
  intent.last_payment_error = {
    charge: charge.id,
    code: decline.code,
    decline_code: decline.declineCode,
    doc_url: "https://stripe.com/docs/error-codes/card-declined",
    message: decline.message,
    payment_method: structuredClone(pm),
    type: "card_error",
  };
  state.webhooks.emit("charge.failed", charge, origin);
  state.webhooks.emit("payment_intent.payment_failed", intent, origin);
  throw new StripeApiError(402, {
    type: "card_error",
    code: decline.code,
    decline_code: decline.declineCode,
    doc_url: "https://stripe.com/docs/error-codes/card-declined",
    message: decline.message,
    charge: charge.id,
    payment_intent: state.store.render(intent),
    payment_method: structuredClone(pm),
    request_log_url: null,
  });
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
    automatic_payment_methods: null,
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
    payment_method_types: cardPaymentMethodTypes(params),
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
  if (booleanParam(params, "off_session") !== undefined && !shouldConfirm) {
    throw invalidRequest("off_session can only be used when confirm=true.", "off_session");
  }
  state.store.insert(intent);
  state.webhooks.emit("payment_intent.created", intent, origin);
  if (shouldConfirm) confirm(state, intent, {}, origin);
  return state.store.render(intent, expand);
};

export const retrievePaymentIntent: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("pi", id), expand);

export const listPaymentIntents: Handler = (state, { params, expand }) => {
  const customer = stringParam(params, "customer");
  const items = state.store.all("pi").filter((pi) => !customer || pi.customer === customer);
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
  return state.store.render(refund, expand);
};

export const retrieveRefund: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("re", id), expand);

export const listRefunds: Handler = (state, { params, expand }) => {
  const intent = stringParam(params, "payment_intent");
  const charge = stringParam(params, "charge");
  const items = state.store.all("re").filter((r) => (!intent || r.payment_intent === intent) && (!charge || r.charge === charge));
  return state.store.list(items, params, "/v1/refunds", expand);
};
