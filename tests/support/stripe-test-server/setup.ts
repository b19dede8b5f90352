// SetupIntents and Checkout Sessions in setup mode (the hosted "add a card" flow; the page is in checkout-page.ts).
import { randomBytes } from "node:crypto";
import { cardPaymentMethodTypes } from "./cards";
import type { Handler, ServerState } from "./context";
import { attachPaymentMethod, liveCustomer, resolvePaymentMethod } from "./customers";
import { applyMetadata, booleanParam, invalidRequest, requiredString, stringParam, type Params } from "./http";
import { newId, nowSeconds, type StripeObject } from "./store";

export function newSetupIntent(state: ServerState, params: Params): StripeObject {
  const customer = stringParam(params, "customer");
  if (customer) liveCustomer(state, customer, "customer");
  const usage = stringParam(params, "usage") ?? "off_session";
  if (usage !== "off_session" && usage !== "on_session") throw invalidRequest(`Invalid usage: must be one of off_session or on_session`, "usage");
  const id = newId("seti");
  return state.store.insert({
    id,
    object: "setup_intent",
    allowed_payment_method_types: params.allowed_payment_method_types ? ["card"] : null,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: `${id}_secret_${randomBytes(12).toString("hex")}`,
    created: nowSeconds(),
    customer: customer ?? null,
    customer_account: null,
    description: stringParam(params, "description") ?? null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: applyMetadata({}, params),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: "automatic" } },
    payment_method_types: cardPaymentMethodTypes(params),
    single_use_mandate: null,
    status: "requires_payment_method",
    usage,
  });
}

/** Saves the card: attaches it to the intent's customer and marks the intent succeeded (test cards never need 3DS). */
export function succeedSetupIntent(state: ServerState, intent: StripeObject, pm: StripeObject, origin?: { id: string; idempotency_key: string | null }) {
  if (intent.status === "succeeded" || intent.status === "canceled") {
    throw invalidRequest(
      `You cannot confirm this SetupIntent because it has a status of ${String(intent.status)}.`,
      undefined,
      "setup_intent_unexpected_state",
    );
  }
  if (intent.customer) attachPaymentMethod(state, pm, state.store.get("cus", String(intent.customer)));
  intent.payment_method = pm.id;
  intent.status = "succeeded";
  return state.webhooks.emit("setup_intent.succeeded", intent, origin);
}

function confirmWith(state: ServerState, intent: StripeObject, params: Params, origin: { id: string; idempotency_key: string | null }) {
  const pmId = stringParam(params, "payment_method") ?? (intent.payment_method as string | null);
  if (!pmId) {
    throw invalidRequest(
      "You cannot confirm this SetupIntent because it's missing a payment method. Update the SetupIntent with a payment method and then confirm it again.",
      undefined,
      "setup_intent_unexpected_state",
    );
  }
  const pm = resolvePaymentMethod(state, pmId, "payment_method");
  succeedSetupIntent(state, intent, pm, origin);
}

export const createSetupIntent: Handler = (state, { params, expand, origin }) => {
  const intent = newSetupIntent(state, params);
  const pmId = stringParam(params, "payment_method");
  if (pmId) {
    intent.payment_method = resolvePaymentMethod(state, pmId, "payment_method").id;
    intent.status = "requires_confirmation";
  }
  if (booleanParam(params, "confirm")) confirmWith(state, intent, params, origin);
  return state.store.render(intent, expand);
};

export const retrieveSetupIntent: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("seti", id), expand);

export const confirmSetupIntent: Handler = (state, { ids: [id], params, expand, origin }) => {
  const intent = state.store.get("seti", id);
  confirmWith(state, intent, params, origin);
  return state.store.render(intent, expand);
};

export const cancelSetupIntent: Handler = (state, { ids: [id], params, expand }) => {
  const intent = state.store.get("seti", id);
  if (intent.status === "succeeded" || intent.status === "canceled") {
    throw invalidRequest(`You cannot cancel this SetupIntent because it has a status of ${String(intent.status)}.`, undefined, "setup_intent_unexpected_state");
  }
  intent.status = "canceled";
  intent.cancellation_reason = stringParam(params, "cancellation_reason") ?? null;
  state.webhooks.emit("setup_intent.canceled", intent);
  return state.store.render(intent, expand);
};

export const createCheckoutSession: Handler = (state, { params, expand }) => {
  const mode = requiredString(params, "mode");
  if (mode !== "setup") {
    throw invalidRequest(`This test server supports Checkout in setup mode only (mode: "${mode}").`, "mode");
  }
  const successUrl = requiredString(params, "success_url");
  const cancelUrl = stringParam(params, "cancel_url") ?? null;
  for (const [param, url] of [["success_url", successUrl], ["cancel_url", cancelUrl]] as const) {
    if (url !== null && !/^https?:\/\/./.test(url)) throw invalidRequest("Not a valid URL", param, "url_invalid");
  }
  const customer = stringParam(params, "customer");
  if (customer) liveCustomer(state, customer, "customer");
  const currency = stringParam(params, "currency")?.toLowerCase() ?? null;
  const metadata = applyMetadata({}, params);
  const types = cardPaymentMethodTypes(params);
  const setupIntent = newSetupIntent(state, {
    customer,
    allowed_payment_method_types: params.allowed_payment_method_types,
    metadata: params.metadata,
  });
  const id = `cs_test_${randomBytes(24).toString("base64url").replace(/[-_]/g, "x")}`;
  const created = nowSeconds();
  const session = state.store.insert({
    id,
    object: "checkout.session",
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: params.allowed_payment_method_types ? types : null,
    amount_subtotal: null,
    amount_total: null,
    billing_address_collection: null,
    cancel_url: cancelUrl,
    client_reference_id: stringParam(params, "client_reference_id") ?? null,
    client_secret: null,
    created,
    currency,
    customer: customer ?? null,
    customer_email: stringParam(params, "customer_email") ?? null,
    customer_account: null,
    customer_creation: null,
    customer_details: null,
    excluded_payment_method_types: null,
    expires_at: created + 24 * 3600,
    livemode: false,
    locale: stringParam(params, "locale") ?? null,
    metadata,
    mode,
    payment_intent: null,
    payment_method_collection: "always",
    payment_method_types: types,
    payment_status: "no_payment_required",
    setup_intent: setupIntent.id,
    status: "open",
    submit_type: null,
    subscription: null,
    success_url: successUrl,
    ui_mode: "hosted",
    url: `${state.baseUrl}/checkout/${id}`,
  });
  return state.store.render(session, expand);
};

export const retrieveCheckoutSession: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("cs", id), expand);

export const expireCheckoutSession: Handler = (state, { ids: [id], expand }) => {
  const session = state.store.get("cs", id);
  if (session.status !== "open") {
    throw invalidRequest(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`, undefined, "checkout_session_unexpected_state");
  }
  session.status = "expired";
  session.url = null;
  state.webhooks.emit("checkout.session.expired", session);
  return state.store.render(session, expand);
};
