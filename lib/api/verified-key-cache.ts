import type { AuthenticatedService } from "./service-auth";

/**
 * API keys verified recently, by the key's SHA-256 (never the key), so a busy app pays one database round trip per key
 * every few seconds instead of one per request. Held on globalThis: Next bundles route handlers and server actions
 * separately, and a revocation made in the console must evict the key that the API handlers of the same process cached.
 * Other processes forget it when its entry expires (API_KEY_CACHE_MS).
 */
export const API_KEY_CACHE_MS = Number(process.env.API_KEY_CACHE_MS ?? 5000);
const API_KEY_CACHE_LIMIT = 10_000;

type Entry = { service: AuthenticatedService; until: number };
const holder = globalThis as typeof globalThis & { nexaVerifiedApiKeys?: Map<string, Entry> };
const verifiedKeys = (holder.nexaVerifiedApiKeys ??= new Map<string, Entry>());

export function cachedVerifiedKey(keyHash: string): AuthenticatedService | null {
  const entry = verifiedKeys.get(keyHash);
  if (!entry) return null;
  if (entry.until > Date.now()) return entry.service;
  verifiedKeys.delete(keyHash);
  return null;
}

export function rememberVerifiedKey(keyHash: string, service: AuthenticatedService): void {
  if (API_KEY_CACHE_MS <= 0) return;
  if (verifiedKeys.size >= API_KEY_CACHE_LIMIT) verifiedKeys.clear();
  verifiedKeys.set(keyHash, { service, until: Date.now() + API_KEY_CACHE_MS });
}

/** Called once a revocation has committed: this process stops accepting the key at once. */
export function forgetVerifiedKey(apiKeyId: string): void {
  for (const [hash, entry] of verifiedKeys) if (entry.service.apiKeyId === apiKeyId) verifiedKeys.delete(hash);
}
