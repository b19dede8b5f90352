import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Visible start of every key, so leaked keys are recognisable by secret scanners. */
export const API_KEY_PREFIX = "nexa_sk_";
const LOOKUP_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface GeneratedApiKey {
  /** The full key: shown once, never stored. */
  key: string;
  /** First characters, stored and shown in the console to identify the key. */
  prefix: string;
  /** SHA-256 hex of the full key. Keys carry 256 random bits, so a fast hash is safe here (no password stretching). */
  hash: string;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, LOOKUP_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** The lookup prefix of a presented key, or null when it cannot be one of ours. */
export function apiKeyLookupPrefix(key: string): string | null {
  return key.startsWith(API_KEY_PREFIX) && key.length > LOOKUP_PREFIX_LENGTH ? key.slice(0, LOOKUP_PREFIX_LENGTH) : null;
}

export function apiKeyMatches(key: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(key), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function generateWebhookSecret(): string {
  return "whsec_" + randomBytes(32).toString("base64url");
}
