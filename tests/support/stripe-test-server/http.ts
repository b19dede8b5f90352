// HTTP plumbing of the Stripe test server: request bodies in Stripe's form encoding, Stripe-shaped errors, responses.
import type { IncomingMessage, ServerResponse } from "node:http";

export type Params = Record<string, unknown>;

/** An error answered in Stripe's shape: `{error: {type, code, message, param, decline_code, ...}}`. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: {
      type: "invalid_request_error" | "card_error" | "idempotency_error" | "api_error";
      message: string;
      code?: string;
      param?: string;
      decline_code?: string;
      [extra: string]: unknown;
    },
  ) {
    super(body.message);
  }
}

export function invalidRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, { type: "invalid_request_error", message, param, code });
}

export function noSuch(kind: string, id: string, param = "id"): StripeApiError {
  return new StripeApiError(404, { type: "invalid_request_error", code: "resource_missing", message: `No such ${kind}: '${id}'`, param });
}

/**
 * Parses `a[b][c]=1&list[]=x&list[1]=y` into nested objects; objects whose keys are all indices become arrays
 * (except under `metadata`, whose keys are the caller's own).
 */
export function parseStripeForm(text: string): Params {
  const root: Params = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) throw new StripeApiError(400, { type: "invalid_request_error", message: `Invalid parameter name: ${rawKey}` });
    const path = [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])];
    let node: Params = root;
    for (let i = 0; i < path.length - 1; i++) {
      const next = node[path[i]];
      if (next === undefined || typeof next !== "object" || next === null) node[path[i]] = {};
      node = node[path[i]] as Params;
    }
    let last = path[path.length - 1];
    if (last === "") last = String(Object.keys(node).length);
    node[last] = value;
  }
  return arraysFromIndexedObjects(root, false) as Params;
}

function arraysFromIndexedObjects(value: unknown, keepObject: boolean): unknown {
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Params).map(([k, v]) => [k, arraysFromIndexedObjects(v, k === "metadata")] as const);
  const keys = entries.map(([k]) => k);
  if (!keepObject && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return entries.sort((a, b) => Number(a[0]) - Number(b[0])).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(html) });
  res.end(html);
}

export function errorBody(error: StripeApiError): { error: Params } {
  return { error: Object.fromEntries(Object.entries(error.body).filter(([, v]) => v !== undefined)) };
}

// Parameter readers: Stripe's messages for the common mistakes.

export function stringParam(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidRequest(`Invalid string: ${name}`, name, "parameter_invalid_string");
  return value;
}

export function requiredString(params: Params, name: string): string {
  const value = stringParam(params, name);
  if (value === undefined || value === "") throw invalidRequest(`Missing required param: ${name}.`, name, "parameter_missing");
  return value;
}

export function integerParam(params: Params, name: string): number | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidRequest(`Invalid integer: ${value}`, name, "parameter_invalid_integer");
  return Number(value);
}

export function booleanParam(params: Params, name: string): boolean | undefined {
  const value = stringParam(params, name);
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false") throw invalidRequest(`Invalid boolean: ${value}`, name);
  return value === "true";
}

/** `metadata[key]=value`; an empty value removes the key, as on Stripe. */
export function applyMetadata(current: Record<string, string>, params: Params): Record<string, string> {
  const value = params.metadata;
  if (value === undefined) return current;
  if (value === "") return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalidRequest("Invalid metadata: must be a hash", "metadata");
  const next = { ...current };
  for (const [k, v] of Object.entries(value as Params)) {
    if (typeof v !== "string") throw invalidRequest(`Invalid metadata[${k}]: must be a string`, `metadata[${k}]`);
    if (v === "") delete next[k];
    else next[k] = v;
  }
  return next;
}

export function expandParam(params: Params): string[] {
  const value = params.expand;
  if (value === undefined) return [];
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalidRequest("Invalid array", "expand");
  return value as string[];
}
