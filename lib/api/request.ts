import type { z } from "zod";
import { ApiError, validationError } from "./errors";
import { unrecognizedKeyCode } from "./schemas/unsupported-fields";

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Reads a JSON body. Malformed JSON is 400 (as Lago), an over-large body 413; never a 500. */
export async function readJson(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new ApiError(413, "payload_too_large", undefined, `Request body exceeds ${maxBytes} bytes`);
  const text = await readBodyText(request, maxBytes);
  if (text.trim() === "") return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", undefined, "the request body is not valid JSON");
  }
  // JSON can carry a NUL only as the escape \u0000 (a raw control character is not valid JSON): without that text,
  // the parsed body holds none and need not be walked.
  const at = text.includes("\\u0000") ? nulPath(body, "") : null;
  if (at !== null) throw new ApiError(400, "invalid_characters", { [at || "base"]: ["value_is_invalid"] }, "NUL characters (\\u0000) are not accepted");
  return body;
}

/**
 * The body as text (UTF-8, a leading BOM dropped, invalid bytes replaced: what `request.text()` returns), decoded chunk
 * by chunk as it arrives. `request.text()` first copies the whole body into one buffer and decodes that; for a batch of
 * a thousand records both are ~150 KB allocations, and on a machine where fresh memory is expensive that copy alone
 * cost a measurable share of the batch path. The size limit is counted in bytes as they arrive.
 */
async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ApiError(413, "payload_too_large", undefined, `Request body exceeds ${maxBytes} bytes`);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** Where a NUL character sits in a parsed JSON body (in a key or a string value), or null. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (typeof value !== "object" || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    if (key.includes("\u0000")) return itemPath.replaceAll("\u0000", "\\u0000");
    const found = nulPath(item, itemPath);
    if (found !== null) return found;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object under Lago's singular root key (`{"customer": {...}}`); 400 with Lago's wording when it is missing. */
export async function readEnvelope(request: Request, rootKey: string): Promise<Record<string, unknown>> {
  const body = await readJson(request);
  const inner = isPlainObject(body) ? body[rootKey] : undefined;
  if (!isPlainObject(inner) || Object.keys(inner).length === 0) {
    throw new ApiError(400, "missing_root_key", undefined, `param is missing or the value is empty or invalid: ${rootKey}`);
  }
  return inner;
}

/** Like readEnvelope for batch bodies whose root holds an array (`{"events": [...]}`). */
export async function readArrayEnvelope(request: Request, rootKey: string): Promise<unknown[]> {
  const body = await readJson(request);
  const inner = isPlainObject(body) ? body[rootKey] : undefined;
  if (!Array.isArray(inner)) {
    throw new ApiError(400, "missing_root_key", undefined, `param is missing or the value is empty or invalid: ${rootKey}`);
  }
  return inner;
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key as never];
  }
  return current;
}

/**
 * Lago-style field errors from a zod failure: `{field: [code]}` where a missing value is `value_is_mandatory`, a
 * custom refinement carries its own code as message, and anything else is `value_is_invalid`.
 */
export function zodErrorDetails(error: z.ZodError, data: unknown, prefix: PropertyKey[] = []): Record<string, string[]> {
  const details: Record<string, string[]> = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) details[[...prefix, ...issue.path, key].map(String).join(".")] = [unrecognizedKeyCode(key)];
      continue;
    }
    const path = [...prefix, ...issue.path];
    const key = path.length ? path.map(String).join(".") : "base";
    let code = "value_is_invalid";
    if (issue.code === "custom" && /^[a-z_]+$/.test(issue.message)) code = issue.message;
    else if (issue.code === "invalid_type" && valueAt(data, issue.path) === undefined) code = "value_is_mandatory";
    else if (issue.code === "too_big" && issue.origin === "string") code = "value_is_too_long";
    else if (issue.code === "too_big" || issue.code === "too_small") code = issue.origin === "array" ? "value_is_invalid" : "value_is_out_of_range";
    else if (/^[a-z_]+$/.test(issue.message)) code = issue.message;
    const codes = (details[key] ??= []);
    if (!codes.includes(code)) codes.push(code);
  }
  return details;
}

/** Validates with zod; failures become 422 validation_errors with per-field codes. */
export function parseBody<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw validationError(zodErrorDetails(result.error, data));
  return result.data;
}

/** Which keys the caller sent: Lago's upserts only change fields whose key is present. */
export function presentKeys(body: Record<string, unknown>): Set<string> {
  return new Set(Object.keys(body));
}
