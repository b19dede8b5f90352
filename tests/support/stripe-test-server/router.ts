// Request handling: API-key check, routing, parameters, Stripe's idempotency keys, and the hosted Checkout page.
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { showCheckoutPage, submitCheckoutPage } from "./checkout-page";
import type { Handler, ServerState } from "./context";
import * as customers from "./customers";
import { errorBody, expandParam, parseStripeForm, readBody, sendJson, stringParam, StripeApiError, type Params } from "./http";
import * as payments from "./payments";
import * as setup from "./setup";

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

const routeTable: Array<[method: string, pattern: string, handler: Handler]> = [
  ["POST", "/v1/customers", customers.createCustomer],
  ["GET", "/v1/customers/:id", customers.retrieveCustomer],
  ["POST", "/v1/customers/:id", customers.updateCustomer],
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
  ["POST", "/v1/checkout/sessions", setup.createCheckoutSession],
  ["GET", "/v1/checkout/sessions/:id", setup.retrieveCheckoutSession],
  ["POST", "/v1/checkout/sessions/:id/expire", setup.expireCheckoutSession],
  ["POST", "/v1/payment_intents", payments.createPaymentIntent],
  ["GET", "/v1/payment_intents", payments.listPaymentIntents],
  ["GET", "/v1/payment_intents/:id", payments.retrievePaymentIntent],
  ["POST", "/v1/payment_intents/:id/confirm", payments.confirmPaymentIntent],
  ["POST", "/v1/payment_intents/:id/cancel", payments.cancelPaymentIntent],
  ["GET", "/v1/charges", payments.listCharges],
  ["GET", "/v1/charges/:id", payments.retrieveCharge],
  ["POST", "/v1/refunds", payments.createRefund],
  ["GET", "/v1/refunds", payments.listRefunds],
  ["GET", "/v1/refunds/:id", payments.retrieveRefund],
  ["GET", "/v1/events", listEvents],
  ["GET", "/v1/events/:id", retrieveEvent],
];

const routes = routeTable.map(([method, pattern, handler]) => ({
  method,
  regex: new RegExp(`^${pattern.replaceAll(":id", "([^/]+)")}$`),
  handler,
}));

function findRoute(method: string, path: string): { handler: Handler; ids: string[] } | null {
  for (const route of routes) {
    const match = route.method === method ? route.regex.exec(path) : null;
    if (match) return { handler: route.handler, ids: match.slice(1).map(decodeURIComponent) };
  }
  return null;
}

function apiKeyError(header: string | undefined): StripeApiError | null {
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
  return null;
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  body: unknown;
  requestId: string;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Params)[k])]));
  }
  return value;
}

export function createRequestHandler(state: ServerState, requests: RecordedRequest[]) {
  const idempotent = new Map<string, StoredAnswer>();

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
    const authError = apiKeyError(req.headers.authorization);
    if (authError) return { status: authError.status, body: errorBody(authError), headers };
    const bodyText = await readBody(req);
    let params: Params;
    try {
      params = { ...parseStripeForm(query), ...parseStripeForm(bodyText) };
    } catch (e) {
      if (e instanceof StripeApiError) return { status: e.status, body: errorBody(e), headers };
      throw e;
    }
    const key = method === "POST" ? record.idempotencyKey : null;
    const fingerprint = createHash("sha256").update(JSON.stringify([method, path, canonical(params)])).digest("hex");
    const earlier = key ? idempotent.get(key) : undefined;
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
    try {
      body = await route.handler(state, { params, ids: route.ids, expand: expandParam(params), origin: { id: requestId, idempotency_key: key } });
    } catch (e) {
      if (!(e instanceof StripeApiError)) throw e;
      status = e.status;
      body = errorBody(e);
    }
    // Like Stripe, answers are saved once the endpoint has run: successes and card declines, not rejected parameters.
    if (key && (status < 400 || status === 402)) idempotent.set(key, { fingerprint, status, body, requestId });
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
