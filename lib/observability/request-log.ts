import { randomUUID } from "node:crypto";
import { observeRequest } from "./metrics";

/**
 * Structured access logs: one JSON line per API request on stdout, carrying the request id that the response returns
 * in `X-Request-Id`. A caller's own `X-Request-Id` (a safe token up to 128 characters) is kept, so one id follows a
 * call from the app that made it through our logs.
 */
export const REQUEST_ID_HEADER = "x-request-id";
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(request: Request): string {
  const sent = request.headers.get(REQUEST_ID_HEADER);
  return sent && SAFE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** The route template of an API path, so metrics labels stay few (ids and codes become `:id`). */
export function routeTemplate(pathname: string): string {
  const parts = pathname.replace(/^\/api\/billing\/v1\/?/, "").split("/").filter(Boolean);
  const [collection, id, action, ...rest] = parts;
  if (!collection) return "/";
  if (rest.length) return "/other";
  if (id === undefined) return `/${collection}`;
  if (collection === "usage" || (collection === "events" && id === "batch")) return `/${collection}/${id}`;
  return action === undefined ? `/${collection}/:id` : `/${collection}/:id/${action}`;
}

export interface LogFields {
  [key: string]: unknown;
}

export function logJson(level: "info" | "warn" | "error", message: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
  if (level === "error") console.error(line);
  else console.log(line);
}

/** Times a request, stamps the response with its id, logs one line and counts it in the metrics. */
export async function observed(request: Request, run: (requestId: string) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdOf(request);
  const url = new URL(request.url);
  const route = routeTemplate(url.pathname);
  const response = await run(requestId);
  const seconds = (performance.now() - started) / 1000;
  response.headers.set("X-Request-Id", requestId);
  observeRequest(route, request.method, response.status, seconds);
  logJson(response.status >= 500 ? "error" : "info", "api_request", {
    request_id: requestId,
    method: request.method,
    route,
    path: url.pathname,
    status: response.status,
    duration_ms: Math.round(seconds * 10_000) / 10,
  });
  return response;
}
