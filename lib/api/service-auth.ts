import { namedStatement, type SqlPool } from "@/lib/db/sql";
import { apiKeyLookupPrefix, apiKeyMatches, hashApiKey } from "@/lib/services/api-keys";
import { ApiError } from "./errors";
import { cachedVerifiedKey, rememberVerifiedKey } from "./verified-key-cache";

export interface AuthenticatedService {
  id: string;
  code: string;
  name: string;
  mode: "shadow" | "live";
  apiKeyId: string;
}

const LAST_USED_RESOLUTION_MS = 60_000;

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
  const cached = cachedVerifiedKey(cacheKey);
  if (cached) return cached;
  const service = await lookUpService(pool, token);
  rememberVerifiedKey(cacheKey, service);
  return service;
}

const selectKey = namedStatement(
  "api_key_by_prefix",
  `SELECT k.id AS key_id, k."keyHash" AS key_hash, k."revokedAt" AS revoked_at, k."lastUsedAt" AS last_used_at,
          s.id AS service_id, s.code, s.name, s.mode
     FROM "ApiKey" k JOIN "Service" s ON s.id = k."serviceId"
    WHERE k.prefix = $1::text`,
);
const touchKey = namedStatement("api_key_touch", `UPDATE "ApiKey" SET "lastUsedAt" = now() WHERE id = $1::uuid`);

async function lookUpService(pool: SqlPool, token: string): Promise<AuthenticatedService> {
  const prefix = apiKeyLookupPrefix(token);
  const { rows } = prefix
    ? await pool.query<KeyRow>(selectKey([prefix]))
    : { rows: [] as KeyRow[] };
  const key = rows[0];
  if (!key || key.revoked_at || !apiKeyMatches(token, key.key_hash)) {
    throw new ApiError(401, "invalid_api_key", undefined, "The API key is invalid or has been revoked");
  }
  // Recorded at one-minute resolution so busy ingestion does not write the key row on every call.
  if (!key.last_used_at || Date.now() - key.last_used_at.getTime() > LAST_USED_RESOLUTION_MS) {
    await pool.query(touchKey([key.key_id]));
  }
  return { id: key.service_id, code: key.code, name: key.name, mode: key.mode, apiKeyId: key.key_id };
}
