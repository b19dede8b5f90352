import { sqlPool } from "@/lib/db/sql";
import { observed } from "@/lib/observability/request-log";
import { requestAdmission } from "@/lib/runtime/request-admission";
import { ApiError, errorResponse, handleApiErrors } from "./errors";
import { clientIp, rateLimits, type RateLimitRefusal } from "@/lib/security/rate-limit";
import { apiRateLimiter } from "@/lib/security/shared-window-limiter";
import { authenticateService, type AuthenticatedService } from "./service-auth";

export interface ServiceRequestContext<P> {
  request: Request;
  url: URL;
  params: P;
  service: AuthenticatedService;
}

/** A NUL character can never be stored (PostgreSQL text refuses it) nor name anything: refused before any lookup. */
export const nulCharacter = () => new ApiError(400, "invalid_characters", undefined, "NUL characters (\\u0000) are not accepted");

/** Refuses NUL in the path parameters and query string (decoded, as the handler would see them). */
function refuseNulInRequest(url: URL, params: object): void {
  if (url.search.includes("%00") || url.pathname.includes("%00")) throw nulCharacter();
  for (const value of Object.values(params)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === "string" && v.includes("\u0000"))) throw nulCharacter();
  }
  for (const [key, value] of url.searchParams) if (key.includes("\u0000") || value.includes("\u0000")) throw nulCharacter();
}

/**
 * What both APIs' wrappers (billing here, reporting in reporting-route.ts) do first: wait for the request's turn
 * (lib/runtime/request-admission.ts), then read its URL and path parameters, refusing NUL characters in them.
 */
export async function admitApiRequest<P extends object>(request: Request, context: { params: Promise<P> }): Promise<{ url: URL; params: P }> {
  await requestAdmission().admit(request.signal);
  const url = new URL(request.url);
  const params = (await context.params) ?? ({} as P);
  refuseNulInRequest(url, params);
  return { url, params };
}

/**
 * Wraps a Next.js route handler of the inbound API: admitted in arrival order and NUL characters refused
 * (admitApiRequest), API-key authentication, then Lago-shaped errors for any failure (503 + Retry-After when the
 * database pool is saturated), inside `observed` (request id header, JSON log, metrics).
 */
export function serviceRoute<P extends object = object>(handler: (ctx: ServiceRequestContext<P>) => Promise<Response>) {
  return (request: Request, context: { params: Promise<P> }) =>
    observed(request, () => handleApiErrors(async () => {
      const { url, params } = await admitApiRequest(request, context);
      const service = await authenticateService(sqlPool(), request.headers.get("authorization"));
      const refusal = apiQuotaRefusal(`api-key:${service.apiKeyId}`, request.headers);
      if (refusal) return tooManyRequests(refusal);
      return handler({ request, url, params, service });
    }));
}

/**
 * The API's quotas for one credential and for the caller's address (every API: billing and reporting), counted in
 * memory and shared with the other instances through PostgreSQL every second (no round trip per request).
 */
export function apiQuotaRefusal(credentialKey: string, headers: Headers): RateLimitRefusal | null {
  const limits = rateLimits();
  return apiRateLimiter(sqlPool).hit([
    { key: credentialKey, ...limits.apiPerKey },
    { key: `api-ip:${clientIp(headers)}`, ...limits.apiPerIp },
  ]);
}

/** 429 in Lago's shape, with Retry-After in seconds. */
export function tooManyRequests(refusal: RateLimitRefusal, code = "too_many_requests"): Response {
  const error = new ApiError(429, code, { retry_after_seconds: refusal.retryAfterSeconds }, `Rate limit of ${refusal.limit} exceeded: retry in ${refusal.retryAfterSeconds} s`);
  return Response.json(error.toBody(), { status: 429, headers: { "Retry-After": String(refusal.retryAfterSeconds) } });
}

/**
 * The answer for an HTTP method a route does not serve: Lago's 405 body instead of Next's empty one. Each API route
 * module exports it under the methods it lacks (the fuzz suite in tests/security checks every route and method).
 */
export function methodNotAllowed(request: Request): Response {
  return errorResponse(new ApiError(405, "method_not_allowed", undefined, `${request.method} is not allowed on this resource`));
}

const bigintAsNumber = (_key: string, value: unknown) => (typeof value === "bigint" ? Number(value) : value);

function stringify(body: unknown): string {
  try {
    return JSON.stringify(body);
  } catch (error) {
    // Bodies with bigint amounts take the slower path with a replacer; large usage answers have none.
    if (error instanceof TypeError) return JSON.stringify(body, bigintAsNumber);
    throw error;
  }
}

/** JSON response that carries bigint values as numbers (amounts in cents stay far below 2^53). */
export function json(body: unknown, status = 200): Response {
  return new Response(stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

const LIST_PIECE = 256;

/**
 * A JSON answer `{rootKey: [...items]}` for a long list (a usage batch answers a thousand receipts), sent as a stream of
 * pieces of LIST_PIECE items (~30 KB) instead of one string. One string of a whole batch's answer is ~130 KB: V8 keeps
 * strings that large in fresh pages of its large-object space, and building, flattening and encoding it was a measurable
 * share of the batch path. The same bytes as json() would send (Next answers both chunked: it drops Content-Length).
 */
export function jsonList(rootKey: string, items: readonly unknown[], status = 200): Response {
  const pieces: Buffer[] = [];
  const add = (text: string) => pieces.push(Buffer.from(text));
  add(`{${JSON.stringify(rootKey)}:[`);
  for (let from = 0; from < items.length; from += LIST_PIECE) {
    // Each piece is a JSON array whose brackets are dropped: the items, comma-separated, as JSON.stringify writes them.
    const text = stringify(items.slice(from, from + LIST_PIECE));
    add((from === 0 ? "" : ",") + text.slice(1, -1));
  }
  add("]}");
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < pieces.length) controller.enqueue(pieces[next++]);
      else controller.close();
    },
  });
  return new Response(body, { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}
