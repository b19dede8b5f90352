// Customers and card payment methods (attach, detach, lists, test tokens such as `pm_card_visa`).
import { paymentMethodFromToken, testCardForToken } from "./cards";
import type { Handler, ServerState } from "./context";
import { applyMetadata, invalidRequest, requiredString, stringParam, type Params } from "./http";
import { newId, nowSeconds, type StripeObject } from "./store";

const customerFields = ["name", "email", "phone", "description", "preferred_locales"] as const;

function applyCustomerParams(customer: StripeObject, state: ServerState, params: Params): void {
  for (const field of customerFields) {
    const value = params[field];
    if (value !== undefined) customer[field] = value === "" ? null : value;
  }
  if (params.address !== undefined) {
    const blank = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
    if (params.address !== "" && (typeof params.address !== "object" || Array.isArray(params.address))) throw invalidRequest("Invalid hash", "address");
    customer.address = params.address === "" ? null : { ...blank, ...(params.address as Params) };
  }
  customer.metadata = applyMetadata(customer.metadata as Record<string, string>, params);
  const settings = params.invoice_settings;
  if (settings !== undefined) {
    if (typeof settings !== "object" || settings === null) throw invalidRequest("Invalid hash", "invoice_settings");
    const pmId = (settings as Params).default_payment_method;
    if (pmId !== undefined) {
      if (pmId !== "") {
        const pm = state.store.find(String(pmId));
        if (!pm || pm.customer !== customer.id) {
          throw invalidRequest(
            `The customer does not have a payment method with the ID ${String(pmId)}. The payment method must be attached to the customer.`,
            "invoice_settings[default_payment_method]",
            "resource_missing",
          );
        }
      }
      (customer.invoice_settings as Params).default_payment_method = pmId === "" ? null : pmId;
    }
  }
  const paymentMethod = stringParam(params, "payment_method");
  if (paymentMethod) attachPaymentMethod(state, resolvePaymentMethod(state, paymentMethod, "payment_method"), customer);
}

function liveCustomer(state: ServerState, id: string, param = "id"): StripeObject {
  const customer = state.store.get("cus", id, param);
  if (customer.deleted) throw invalidRequest(`No such customer: '${id}'`, param, "resource_missing");
  return customer;
}

export { liveCustomer };

/**
 * A stored payment method, or — for a test token like `pm_card_visa` — a new one made from that test card, as Stripe
 * does when a token is used.
 */
export function resolvePaymentMethod(state: ServerState, id: string, param: string): StripeObject {
  const card = testCardForToken(id);
  if (card) {
    const pm = state.store.insert(paymentMethodFromToken(card));
    state.behaviours.set(pm.id, card.behaviour);
    return pm;
  }
  return state.store.get("pm", id, param);
}

export function attachPaymentMethod(state: ServerState, pm: StripeObject, customer: StripeObject): void {
  if (pm.customer === customer.id) return;
  if (pm.customer) {
    throw invalidRequest(
      `The payment method you provided has already been attached to a customer.`,
      "payment_method",
      "payment_method_unexpected_state",
    );
  }
  pm.customer = customer.id;
  state.webhooks.emit("payment_method.attached", pm);
}

export const createCustomer: Handler = (state, { params, expand }) => {
  const customer: StripeObject = {
    id: newId("cus"),
    object: "customer",
    address: null,
    balance: 0,
    created: nowSeconds(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: newId("x").slice(2, 10).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  };
  applyCustomerParams(customer, state, params);
  state.store.insert(customer);
  state.webhooks.emit("customer.created", customer);
  return state.store.render(customer, expand);
};

export const retrieveCustomer: Handler = (state, { ids: [id], expand }) => {
  const customer = state.store.get("cus", id);
  return customer.deleted ? { id, object: "customer", deleted: true } : state.store.render(customer, expand);
};

export const updateCustomer: Handler = (state, { ids: [id], params, expand }) => {
  const customer = liveCustomer(state, id);
  applyCustomerParams(customer, state, params);
  state.webhooks.emit("customer.updated", customer);
  return state.store.render(customer, expand);
};

export const deleteCustomer: Handler = (state, { ids: [id] }) => {
  const customer = liveCustomer(state, id);
  customer.deleted = true;
  for (const pm of state.store.all("pm")) if (pm.customer === id) pm.customer = null;
  state.webhooks.emit("customer.deleted", { ...customer, deleted: undefined });
  return { id, object: "customer", deleted: true };
};

function listPaymentMethods(state: ServerState, params: Params, customerId: string | undefined, url: string, expand: string[]) {
  const type = stringParam(params, "type");
  if (type !== undefined && type !== "card") return { object: "list", data: [], has_more: false, url };
  const items = state.store.all("pm").filter((pm) => customerId === undefined || pm.customer === customerId);
  return state.store.list(items, params, url, expand);
}

export const listCustomerPaymentMethods: Handler = (state, { ids: [id], params, expand }) => {
  liveCustomer(state, id);
  return listPaymentMethods(state, params, id, `/v1/customers/${id}/payment_methods`, expand);
};

export const retrieveCustomerPaymentMethod: Handler = (state, { ids: [customerId, pmId], expand }) => {
  liveCustomer(state, customerId);
  const pm = state.store.get("pm", pmId);
  if (pm.customer !== customerId) throw invalidRequest(`No such PaymentMethod: '${pmId}'`, "payment_method", "resource_missing");
  return state.store.render(pm, expand);
};

export const listAllPaymentMethods: Handler = (state, { params, expand }) => {
  const customer = stringParam(params, "customer");
  if (customer) liveCustomer(state, customer, "customer");
  return listPaymentMethods(state, params, customer, "/v1/payment_methods", expand);
};

export const retrievePaymentMethod: Handler = (state, { ids: [id], expand }) => {
  return state.store.render(state.store.get("pm", id), expand);
};

export const updatePaymentMethod: Handler = (state, { ids: [id], params, expand }) => {
  const pm = state.store.get("pm", id);
  pm.metadata = applyMetadata(pm.metadata as Record<string, string>, params);
  const card = params.card as Params | undefined;
  if (card?.exp_month !== undefined) (pm.card as Params).exp_month = Number(card.exp_month);
  if (card?.exp_year !== undefined) (pm.card as Params).exp_year = Number(card.exp_year);
  state.webhooks.emit("payment_method.updated", pm);
  return state.store.render(pm, expand);
};

export const attachPaymentMethodHandler: Handler = (state, { ids: [id], params, expand }) => {
  const customer = liveCustomer(state, requiredString(params, "customer"), "customer");
  const pm = resolvePaymentMethod(state, id, "payment_method");
  attachPaymentMethod(state, pm, customer);
  return state.store.render(pm, expand);
};

export const detachPaymentMethod: Handler = (state, { ids: [id], expand }) => {
  const pm = state.store.get("pm", id);
  if (!pm.customer) {
    throw invalidRequest("The payment method you provided is not attached to a customer so detachment is impossible.", undefined, "payment_method_unexpected_state");
  }
  const customer = state.store.find(String(pm.customer));
  const settings = customer?.invoice_settings as Params | undefined;
  if (settings?.default_payment_method === id) settings.default_payment_method = null;
  pm.customer = null;
  state.detached.add(pm.id);
  state.webhooks.emit("payment_method.detached", pm);
  return state.store.render(pm, expand);
};

/**
 * `GET /v1/customers/search?query=…`: Stripe's search language for the clauses `field:'value'` and
 * `metadata['key']:'value'`, joined with AND (a subset, refused with 400 beyond it).
 */
export const searchCustomers: Handler = (state, { params }) => {
  const query = requiredString(params, "query");
  const clauses = query.split(/\s+AND\s+/).map((clause) => {
    const m = /^(?:metadata\['([^']+)'\]|(\w+)):'([^']*)'$/.exec(clause.trim());
    if (!m) throw invalidRequest(`This test server does not understand the search clause: ${clause}`, "query");
    return { metadataKey: m[1], field: m[2], value: m[3] };
  });
  const matches = state.store.all("cus").filter((c) => !c.deleted && clauses.every(({ metadataKey, field, value }) =>
    metadataKey ? (c.metadata as Record<string, string>)[metadataKey] === value : String(c[field!] ?? "") === value));
  return { object: "search_result", data: matches.map((c) => state.store.render(c)), has_more: false, next_page: null, url: "/v1/customers/search" };
};
