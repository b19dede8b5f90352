// Request handling: API-key check, routing, parameters, Stripe's idempotency keys, and the hosted Checkout page.
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { showAuthenticationPage, submitAuthenticationPage } from "./authentication-page";
import { showCheckoutPage, submitCheckoutPage } from "./checkout-page";
import type { Handler, ServerState } from "./context";
import * as customers from "./customers";
import { errorBody, expandParam, invalidRequest, parseStripeForm, readBody, sendJson, stringParam, StripeApiError, type Params } from "./http";
import * as payments from "./payments";
import * as setup from "./setup";
import { handleTestControl } from "./test-controls";

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  idempotencyKey: string | null;
  status: number;
  /** True when the answer was replayed from an earlier request with the same idempotency key. */
  replayed: boolean;
  at: Date;
}

const listEvents: Handler = (state, { params, expand }) => {
  const type = stringParam(params, "type");
  const types = Array.isArray(params.types) ? (params.types as string[]) : null;
  const matches = (t: string) => (type === undefined || (type.endsWith(".*") ? t.startsWith(type.slice(0, -1)) : t === type)) && (!types || types.includes(t));
  return state.store.list(state.store.all("evt").filter((e) => matches(String(e.type))), params, "/v1/events", expand);
};

const retrieveEvent: Handler = (state, { ids: [id], expand }) => state.store.render(state.store.get("evt", id), expand);

// The top-level parameters Stripe's API (this version, as SDK v23 types it) accepts on the endpoints that create or
// change money movements; anything else — `payment_method_types` above all, removed in this version — is refused with
// 400 parameter_unknown, as Stripe does.
const customerParams = ["address", "balance", "business_name", "cash_balance", "description", "email", "expand", "individual_name", "invoice_prefix", "invoice_settings", "metadata", "name", "next_invoice_sequence", "payment_method", "phone", "preferred_locales", "shipping", "source", "tax", "tax_exempt", "tax_id_data", "test_clock", "validate"];
const paymentIntentCreateParams = ["amount", "currency", "allowed_payment_method_types", "amount_details", "application_fee_amount", "automatic_payment_methods", "capture_method", "confirm", "confirmation_method", "confirmation_token", "customer", "customer_account", "description", "error_on_requires_action", "excluded_payment_method_types", "expand", "hooks", "mandate", "mandate_data", "metadata", "off_session", "on_behalf_of", "payment_details", "payment_method", "payment_method_configuration", "payment_method_data", "payment_method_options", "radar_options", "receipt_email", "return_url", "setup_future_usage", "shipping", "statement_descriptor", "statement_descriptor_suffix", "transfer_data", "transfer_group", "use_stripe_sdk"];
const paymentIntentConfirmParams = ["capture_method", "confirmation_token", "error_on_requires_action", "expand", "mandate", "mandate_data", "off_session", "payment_details", "payment_method", "payment_method_data", "payment_method_options", "radar_options", "receipt_email", "return_url", "setup_future_usage", "shipping", "use_stripe_sdk"];
const checkoutSessionParams = ["adaptive_pricing", "after_expiration", "allow_promotion_codes", "allowed_payment_method_types", "automatic_tax", "billing_address_collection", "branding_settings", "cancel_url", "client_reference_id", "consent_collection", "currency", "custom_fields", "custom_text", "customer", "customer_account", "customer_creation", "customer_email", "customer_update", "discounts", "excluded_payment_method_types", "expand", "expires_at", "integration_identifier", "invoice_creation", "line_items", "locale", "managed_payments", "metadata", "mode", "name_collection", "optional_items", "origin_context", "payment_intent_data", "payment_method_collection", "payment_method_configuration", "payment_method_data", "payment_method_options", "permissions", "phone_number_collection", "redirect_on_completion", "return_url", "saved_payment_method_options", "setup_intent_data", "shipping_address_collection", "shipping_options", "submit_type", "subscription_data", "success_url", "tax_id_collection", "ui_mode", "wallet_options"];
const refundParams = ["amount", "charge", "currency", "customer", "expand", "instructions_email", "metadata", "origin", "payment_intent", "reason", "refund_application_fee", "reverse_transfer"];

const routeTable: Array<[method: string, pattern: string, handler: Handler, allowedParams?: string[]]> = [
  ["POST", "/v1/customers", customers.createCustomer, customerParams],
  ["GET", "/v1/customers/search", customers.searchCustomers],
  ["GET", "/v1/customers/:id", customers.retrieveCustomer],
  ["POST", "/v1/customers/:id", customers.updateCustomer, customerParams],
  ["DELETE", "/v1/customers/:id", customers.deleteCustomer],
  ["GET", "/v1/customers/:id/payment_methods", customers.listCustomerPaymentMethods],
  ["GET", "/v1/customers/:id/payment_methods/:id", customers.retrieveCustomerPaymentMethod],
  ["GET", "/v1/payment_methods", customers.listAllPaymentMethods],
  ["GET", "/v1/payment_methods/:id", customers.retrievePaymentMethod],
  ["POST", "/v1/payment_methods/:id", customers.updatePaymentMethod],
  ["POST", "/v1/payment_methods/:id/attach", customers.attachPaymentMethodHandler],
  ["POST", "/v1/payment_methods/:id/detach", customers.detachPaymentMethod],
  ["POST", "/v1/setup_intents", setup.createSetupIntent],
  ["GET", "/v1/setup_intents/:id", setup.retrieveSetupIntent],
  ["POST", "/v1/setup_intents/:id/confirm", setup.confirmSetupIntent],
  ["POST", "/v1/setup_intents/:id/cancel", setup.cancelSetupIntent],
  ["POST", "/v1/checkout/sessions", setup.createCheckoutSession, checkoutSessionParams],
  ["GET", "/v1/checkout/sessions/:id", setup.retrieveCheckoutSession],
  ["POST", "/v1/checkout/sessions/:id/expire", setup.expireCheckoutSession],
  ["POST", "/v1/payment_intents", payments.createPaymentIntent, paymentIntentCreateParams],
  ["GET", "/v1/payment_intents", payments.listPaymentIntents],
  ["GET", "/v1/payment_intents/:id", payments.retrievePaymentIntent],
  ["POST", "/v1/payment_intents/:id/confirm", payments.confirmPaymentIntent, paymentIntentConfirmParams],
  ["POST", "/v1/payment_intents/:id/cancel", payments.cancelPaymentIntent],
  ["GET", "/v1/charges", payments.listCharges],
  ["GET", "/v1/charges/:id", payments.retrieveCharge],
  ["POST", "/v1/refunds", payments.createRefund, refundParams],
  ["GET", "/v1/refunds", payments.listRefunds],
  ["GET", "/v1/refunds/:id", payments.retrieveRefund],
  ["GET", "/v1/events", listEvents],
  ["GET", "/v1/events/:id", retrieveEvent],
];

const routes = routeTable.map(([method, pattern, handler, allowedParams]) => ({
  method,
  regex: new RegExp(`^${pattern.replaceAll(":id", "([^/]+)")}$`),
  handler,
  allowedParams,
}));

function findRoute(method: string, path: string): { handler: Handler; ids: string[]; allowedParams?: string[] } | null {
  for (const route of routes) {
    const match = route.method === method ? route.regex.exec(path) : null;
    if (match) return { handler: route.handler, ids: match.slice(1).map(decodeURIComponent), allowedParams: route.allowedParams };
  }
  return null;
}

function unknownParameter(params: Params, allowed: string[] | undefined): StripeApiError | null {
  const unknown = allowed && Object.keys(params).find((name) => !allowed.includes(name));
  return unknown ? invalidRequest(`Received unknown parameter: ${unknown}`, unknown, "parameter_unknown") : null;
}

/** A key's problem: none, unknown or revoked (401), or a read-only restricted key (`rk_test_readonly…`) writing (403). */
function apiKeyError(header: string | undefined, method: string, path: string, revoked: Set<string>): StripeApiError | null {
  let key: string | undefined;
  if (header?.startsWith("Bearer ")) key = header.slice("Bearer ".length).trim();
  else if (header?.startsWith("Basic ")) key = Buffer.from(header.slice("Basic ".length), "base64").toString("utf8").split(":")[0];
  if (!key) {
    return new StripeApiError(401, {
      type: "invalid_request_error",
      message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  }
  if (!/^(sk|rk)_test_\w+$/.test(key)) {
    return new StripeApiError(401, { type: "invalid_request_error", message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` });
  }
  if (revoked.has(key)) {
    return new StripeApiError(401, { type: "invalid_request_error", code: "api_key_expired", message: `Expired API Key provided: ${key.slice(0, 8)}***${key.slice(-4)}` });
  }
  if (key.startsWith("rk_test_readonly") && method !== "GET") {
    return new StripeApiError(403, {
      type: "invalid_request_error",
      message: `The provided key '${key.slice(0, 12)}***${key.slice(-4)}' does not have the required permissions for this endpoint on account 'acct_nexa_local'. Having the 'rak_write' permission would allow this request to continue (${method} ${path}).`,
    });
  }
  return null;
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
  /** When it was stored, on the server's clock: Stripe keeps it for 24 hours. */
  storedAtMs: number;
}

const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Test controls: requests that fail with a 500 before doing anything, and a delay before each API request runs. */
export interface Faults {
  failNext: { method: string; path: string; remaining: number; idempotencyKeyPrefix?: string }[];
  latencyMs: number;
  revokedKeys: Set<string>;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Params)[k])]));
  }
  return value;
}

export function createRequestHandler(state: ServerState, requests: RecordedRequest[], faults: Faults) {
  const idempotent = new Map<string, StoredAnswer>();
  const inFlight = new Set<string>();
  const now = () => Date.now() + state.clock.offsetMs;

  async function handleApi(req: IncomingMessage, path: string, query: string, record: RecordedRequest): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    const requestId = `req_${randomBytes(10).toString("hex")}`;
    const headers: Record<string, string> = { "Request-Id": requestId, "Stripe-Version": String(req.headers["stripe-version"] ?? "") };
    if (record.idempotencyKey) headers["Idempotency-Key"] = record.idempotencyKey;
    const method = req.method ?? "GET";
    const route = findRoute(method, path);
    if (!route) {
      const error = new StripeApiError(404, {
        type: "invalid_request_error",
        code: "resource_missing",
        message: `Unrecognized request URL (${method}: ${path}). This local Stripe test server does not implement it.`,
      });
      return { status: 404, body: errorBody(error), headers };
    }
    const authError = apiKeyError(req.headers.authorization, method, path, faults.revokedKeys);
    if (authError) return { status: authError.status, body: errorBody(authError), headers };
    const bodyText = await readBody(req);
    let params: Params;
    try {
      params = { ...parseStripeForm(query), ...parseStripeForm(bodyText) };
    } catch (e) {
      if (e instanceof StripeApiError) return { status: e.status, body: errorBody(e), headers };
      throw e;
    }
    const unknown = unknownParameter(params, route.allowedParams);
    if (unknown) return { status: unknown.status, body: errorBody(unknown), headers };
    const key = method === "POST" ? record.idempotencyKey : null;
    const fingerprint = createHash("sha256").update(JSON.stringify([method, path, canonical(params)])).digest("hex");
    if (key && inFlight.has(key)) {
      const error = new StripeApiError(409, {
        type: "invalid_request_error",
        code: "idempotency_key_in_use",
        message: "There is currently another in-progress request using this idempotency key (that probably means you submitted twice, and the other request is still going through). Please try again later.",
      });
      return { status: 409, body: errorBody(error), headers: { ...headers, "Stripe-Should-Retry": "true" } };
    }
    let earlier = key ? idempotent.get(key) : undefined;
    if (earlier && now() - earlier.storedAtMs >= IDEMPOTENCY_KEY_LIFETIME_MS) {
      idempotent.delete(key!);
      earlier = undefined;
    }
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        const error = new StripeApiError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
        return { status: 400, body: errorBody(error), headers };
      }
      record.replayed = true;
      return { status: earlier.status, body: earlier.body, headers: { ...headers, "Idempotent-Replayed": "true", "Original-Request": earlier.requestId } };
    }
    let status = 200;
    let body: unknown;
    if (key) inFlight.add(key);
    try {
      if (faults.latencyMs) await new Promise((r) => setTimeout(r, faults.latencyMs));
      const fault = faults.failNext.find((f) => f.method === method && f.path === path && f.remaining > 0 && (!f.idempotencyKeyPrefix || key?.startsWith(f.idempotencyKeyPrefix)));
      if (fault) {
        fault.remaining -= 1;
        throw new Error("injected fault");
      }
      body = await route.handler(state, { params, ids: route.ids, expand: expandParam(params), origin: { id: requestId, idempotency_key: key } });
    } catch (e) {
      if (e instanceof StripeApiError) {
        status = e.status;
        body = errorBody(e);
      } else {
        status = 500;
        body = errorBody(new StripeApiError(500, { type: "api_error", message: `An unknown error occurred (${e instanceof Error ? e.message : String(e)}).` }));
      }
    } finally {
      if (key) inFlight.delete(key);
    }
    // Like Stripe, answers are saved once the endpoint has run — successes, card declines and 500s alike — for 24 hours;
    // rejected parameters are not (the same key may be sent again corrected).
    if (key && (status < 400 || status === 402 || status >= 500)) idempotent.set(key, { fingerprint, status, body, requestId, storedAtMs: now() });
    return { status, body, headers };
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const idempotencyKey = req.headers["idempotency-key"];
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.search.slice(1),
      idempotencyKey: typeof idempotencyKey === "string" ? idempotencyKey : null,
      status: 0,
      replayed: false,
      at: new Date(),
    };
    requests.push(record);
    res.on("finish", () => (record.status = res.statusCode));
    try {
      const authentication = /^\/authenticate\/([^/]+)$/.exec(url.pathname);
      if (authentication && req.method === "GET") return showAuthenticationPage(state, res, decodeURIComponent(authentication[1]));
      if (authentication && req.method === "POST") return await submitAuthenticationPage(state, req, res, decodeURIComponent(authentication[1]));
      if (url.pathname.startsWith("/_test/")) return await handleTestControl(state, faults, req, res, url.pathname);
      const page = /^\/checkout\/([^/]+)$/.exec(url.pathname);
      if (page && req.method === "GET") return showCheckoutPage(state, res, decodeURIComponent(page[1]));
      if (page && req.method === "POST") return await submitCheckoutPage(state, req, res, decodeURIComponent(page[1]));
      const { status, body, headers } = await handleApi(req, url.pathname, url.search.slice(1), record);
      sendJson(res, status, body, headers);
    } catch (e) {
      console.error("stripe test server:", e);
      if (!res.headersSent) {
        sendJson(res, 500, { error: { type: "api_error", message: `The local Stripe test server failed: ${e instanceof Error ? e.message : String(e)}` } });
      } else res.end();
    }
  };
}
