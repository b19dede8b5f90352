import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { DomainError, entityNotFound } from "@/lib/errors";
import type { ApiKey, Prisma } from "@/lib/generated/prisma/client";
import { forgetVerifiedKey } from "@/lib/api/verified-key-cache";
import { generateApiKey } from "./api-keys";

/** A newly created key: `key` is the full secret, returned this once and never stored. */
export interface IssuedApiKey {
  key: string;
  apiKey: ApiKey;
}

async function createKey(tx: Prisma.TransactionClient, serviceId: string, name: string): Promise<IssuedApiKey> {
  const generated = generateApiKey();
  const apiKey = await tx.apiKey.create({ data: { serviceId, name, prefix: generated.prefix, keyHash: generated.hash } });
  return { key: generated.key, apiKey };
}

/** Revokes a key of the service; a key revoked meanwhile by someone else is reported, never revoked twice. */
async function revokeKey(tx: Prisma.TransactionClient, serviceId: string, keyId: string): Promise<ApiKey> {
  const revokedAt = new Date();
  const { count } = await tx.apiKey.updateMany({ where: { id: keyId, serviceId, revokedAt: null }, data: { revokedAt } });
  const key = await tx.apiKey.findFirst({ where: { id: keyId, serviceId } });
  if (!key) throw entityNotFound("api_key");
  if (count === 0) throw new DomainError("conflict", "api_key_already_revoked", undefined, "This API key is already revoked");
  return key;
}

export async function issueApiKey(client: Db, serviceId: string, actor: AuditActor, name = "default"): Promise<IssuedApiKey> {
  return client.$transaction(async (tx) => {
    if (!(await tx.service.findUnique({ where: { id: serviceId }, select: { id: true } }))) throw entityNotFound("service");
    const issued = await createKey(tx, serviceId, name);
    await recordAudit(tx, actor, {
      action: "api_key.created",
      entityType: "ApiKey",
      entityId: issued.apiKey.id,
      data: { serviceId, prefix: issued.apiKey.prefix, name },
    });
    return issued;
  });
}

export async function revokeApiKey(client: Db, serviceId: string, keyId: string, actor: AuditActor): Promise<ApiKey> {
  const revoked = await client.$transaction(async (tx) => {
    const key = await revokeKey(tx, serviceId, keyId);
    await recordAudit(tx, actor, { action: "api_key.revoked", entityType: "ApiKey", entityId: key.id, data: { serviceId, prefix: key.prefix } });
    return key;
  });
  forgetVerifiedKey(revoked.id);
  return revoked;
}

/** Replaces a key: a new key with the same name is created and the old one revoked, both or neither. */
export async function rotateApiKey(client: Db, serviceId: string, keyId: string, actor: AuditActor): Promise<IssuedApiKey & { revoked: ApiKey }> {
  const rotated = await client.$transaction(async (tx) => {
    const revoked = await revokeKey(tx, serviceId, keyId);
    const issued = await createKey(tx, serviceId, revoked.name);
    await recordAudit(tx, actor, {
      action: "api_key.rotated",
      entityType: "ApiKey",
      entityId: issued.apiKey.id,
      data: { serviceId, prefix: issued.apiKey.prefix, replacedKeyId: revoked.id, replacedPrefix: revoked.prefix },
    });
    return { ...issued, revoked };
  });
  forgetVerifiedKey(rotated.revoked.id);
  return rotated;
}
