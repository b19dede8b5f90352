import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signatures of outbound webhooks, and their verification for apps and tests.
 *
 * - `X-Nexa-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` — the timestamp is signed, so a
 *   receiver that refuses timestamps older than its tolerance (5 minutes by default) refuses replayed requests.
 * - `X-Lago-Signature: <Base64 HMAC-SHA256(secret, raw body)>` with `X-Lago-Signature-Algorithm: hmac`, for apps
 *   written against Lago's HMAC webhooks.
 */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, message: string | Buffer) => createHmac("sha256", secret).update(message);

export function nexaSignatureHeader(rawBody: string, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${hmac(secret, `${timestampSeconds}.${rawBody}`).digest("hex")}`;
}

export function lagoHmacSignature(rawBody: string | Buffer, secret: string): string {
  return hmac(secret, rawBody).digest("base64");
}

export type SignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; reason: "missing_header" | "malformed_header" | "timestamp_out_of_tolerance" | "signature_mismatch" };

function sameHex(a: string, b: string): boolean {
  if (!/^[0-9a-f]+$/i.test(a) || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/**
 * Checks an `X-Nexa-Signature` header against the raw request body (the exact bytes received, not re-serialised JSON).
 * Several `v1=` values are accepted, any of which may match.
 */
export function verifyWebhookSignature(
  rawBody: string | Buffer,
  header: string | null | undefined,
  secret: string,
  options: { toleranceSeconds?: number; now?: Date } = {},
): SignatureCheck {
  if (!header) return { valid: false, reason: "missing_header" };
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [key, value] = part.trim().split("=", 2);
    if (key === "t" && /^\d+$/.test(value ?? "")) timestamp = Number(value);
    else if (key === "v1" && value) signatures.push(value);
  }
  if (timestamp === null || signatures.length === 0) return { valid: false, reason: "malformed_header" };
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) return { valid: false, reason: "timestamp_out_of_tolerance" };
  const body = typeof rawBody === "string" ? rawBody : rawBody.toString("utf8");
  const expected = hmac(secret, `${timestamp}.${body}`).digest("hex");
  return signatures.some((s) => sameHex(s, expected)) ? { valid: true, timestamp } : { valid: false, reason: "signature_mismatch" };
}

/** Checks Lago's HMAC header (`X-Lago-Signature`, Base64) against the raw body. It carries no timestamp. */
export function verifyLagoHmacSignature(rawBody: string | Buffer, header: string | null | undefined, secret: string): boolean {
  if (!header) return false;
  const presented = Buffer.from(header, "base64");
  const expected = hmac(secret, rawBody).digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
