import type { Db } from "@/lib/db/prisma";
import { apiKeyLookupPrefix, apiKeyMatches } from "@/lib/services/api-keys";
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
 * The service behind `Authorization: Bearer <key>` (Lago takes the second token of the header). Missing, unknown and
 * revoked keys are all 401 so a caller learns nothing about which keys exist.
 */
export async function authenticateService(client: Db, authorization: string | null): Promise<AuthenticatedService> {
  const [scheme, token] = authorization?.trim().split(/\s+/) ?? [];
  if (!token || scheme.toLowerCase() !== "bearer") throw new ApiError(401, "missing_api_key", undefined, "Authorization: Bearer <api key> is required");
  const prefix = apiKeyLookupPrefix(token);
  const key = prefix ? await client.apiKey.findUnique({ where: { prefix }, include: { service: true } }) : null;
  if (!key || key.revokedAt || !apiKeyMatches(token, key.keyHash)) {
    throw new ApiError(401, "invalid_api_key", undefined, "The API key is invalid or has been revoked");
  }
  // Recorded at one-minute resolution so busy ingestion does not write the key row on every call.
  if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await client.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
  }
  return { id: key.service.id, code: key.service.code, name: key.service.name, mode: key.service.mode, apiKeyId: key.id };
}
