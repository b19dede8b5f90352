import type { SqlPool } from "@/lib/db/sql";
import { apiKeyLookupPrefix, apiKeyMatches, hashApiKey } from "@/lib/services/api-keys";
import { ApiError } from "./errors";

export interface AuthenticatedService {
  id: string;
  code: string;
  name: string;
  mode: "shadow" | "live";
  apiKeyId: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;
/**
 * A verified key is trusted for this long without asking the database again, so a revocation takes effect on every
 * process within this many milliseconds. Only successful checks are kept (by the key's SHA-256, never the key).
 */
export const API_KEY_CACHE_MS = Number(process.env.API_KEY_CACHE_MS ?? 5000);
const API_KEY_CACHE_LIMIT = 10_000;
const verifiedKeys = new Map<string, { service: AuthenticatedService; until: number }>();

interface KeyRow {
  key_id: string;
  key_hash: string;
  revoked_at: Date | null;
  last_used_at: Date | null;
  service_id: string;
  code: string;
  name: string;
  mode: "shadow" | "live";
}

/**
 * The service behind `Authorization: Bearer <key>`. Missing, unknown and revoked keys are all 401 so a caller learns
 * nothing about which keys exist. Every API call comes through here, so it is one indexed SQL query.
 */
export async function authenticateService(pool: SqlPool, authorization: string | null): Promise<AuthenticatedService> {
  const [scheme, token] = authorization?.trim().split(/\s+/) ?? [];
  if (!token || scheme.toLowerCase() !== "bearer") throw new ApiError(401, "missing_api_key", undefined, "Authorization: Bearer <api key> is required");
  const cacheKey = hashApiKey(token);
  const cached = verifiedKeys.get(cacheKey);
  if (cached && cached.until > Date.now()) return cached.service;
  const service = await lookUpService(pool, token);
  if (verifiedKeys.size >= API_KEY_CACHE_LIMIT) verifiedKeys.clear();
  if (API_KEY_CACHE_MS > 0) verifiedKeys.set(cacheKey, { service, until: Date.now() + API_KEY_CACHE_MS });
  return service;
}

async function lookUpService(pool: SqlPool, token: string): Promise<AuthenticatedService> {
  const prefix = apiKeyLookupPrefix(token);
  const { rows } = prefix
    ? await pool.query<KeyRow>(
        `SELECT k.id AS key_id, k."keyHash" AS key_hash, k."revokedAt" AS revoked_at, k."lastUsedAt" AS last_used_at,
                s.id AS service_id, s.code, s.name, s.mode
           FROM "ApiKey" k JOIN "Service" s ON s.id = k."serviceId"
          WHERE k.prefix = $1`,
        [prefix],
      )
    : { rows: [] as KeyRow[] };
  const key = rows[0];
  if (!key || key.revoked_at || !apiKeyMatches(token, key.key_hash)) {
    throw new ApiError(401, "invalid_api_key", undefined, "The API key is invalid or has been revoked");
  }
  // Recorded at one-minute resolution so busy ingestion does not write the key row on every call.
  if (!key.last_used_at || Date.now() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await pool.query(`UPDATE "ApiKey" SET "lastUsedAt" = now() WHERE id = $1`, [key.key_id]);
  }
  return { id: key.service_id, code: key.code, name: key.name, mode: key.mode, apiKeyId: key.key_id };
}
