import { createHmac, timingSafeEqual } from "node:crypto";

/** Portal links handed to apps (Lago's `portal_url`) are valid this long, as Lago's. */
export const PORTAL_TOKEN_TTL_MS = 12 * 60 * 60 * 1000;

interface PortalTokenClaims {
  customerId: string;
  expiresAt: number;
}

function secret(): string {
  const value = process.env.NEXTAUTH_SECRET;
  if (!value) throw new Error("NEXTAUTH_SECRET is not set");
  return value;
}

function sign(payload: string): string {
  return createHmac("sha256", `portal-access:${secret()}`).update(payload).digest("base64url");
}

/** A signed, expiring token that lets whoever holds it into one customer's portal. */
export function createPortalToken(customerId: string, now = Date.now()): string {
  const payload = Buffer.from(JSON.stringify({ c: customerId, e: now + PORTAL_TOKEN_TTL_MS })).toString("base64url");
  return `${payload}.${sign(payload)}`;
}

/** The token's claims, or null when it is forged, altered or expired. */
export function verifyPortalToken(token: string, now = Date.now()): PortalTokenClaims | null {
  const [payload, signature] = token.split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const { c, e } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { c: unknown; e: unknown };
    if (typeof c !== "string" || typeof e !== "number" || e < now) return null;
    return { customerId: c, expiresAt: e };
  } catch {
    return null;
  }
}

/**
 * The public base URL links are built on: PUBLIC_URL, else NEXTAUTH_URL, else the origin the request came to (or,
 * outside a request — e-mails sent by jobs — http://localhost:3000).
 */
export function publicBaseUrl(origin: Request | string = "http://localhost:3000"): string {
  const fallback = typeof origin === "string" ? origin : new URL(origin.url).origin;
  return (process.env.PUBLIC_URL ?? process.env.NEXTAUTH_URL ?? fallback).replace(/\/+$/, "");
}
