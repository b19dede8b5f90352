import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import { recordAudit, staffActor } from "@/lib/audit/audit-log";
import { API_KEY_PREFIX } from "@/lib/services/api-keys";
import { entityNotFound, invalidField } from "@/lib/errors";

/**
 * Reporting tokens: the read-only credential of the company's BI tool for /api/reports/v1. A token reads every report
 * (all services' figures, as the console shows them) and can do nothing else; a service API key is never accepted
 * there, since a service must not read other services' figures. Created and revoked by administrators; shown once;
 * only the SHA-256 is stored (256 random bits, so a fast hash is safe).
 */
export const REPORTING_TOKEN_PREFIX = "nexa_rt_";
const LOOKUP_PREFIX_LENGTH = REPORTING_TOKEN_PREFIX.length + 8;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export type ReportingCredential = { kind: "reporting"; tokenId: string } | { kind: "service_key" } | { kind: "invalid" } | { kind: "missing" };

export async function createReportingToken(client: Db, name: string, staffId: string): Promise<{ id: string; token: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100) throw invalidField("name", trimmed ? "value_is_too_long" : "value_is_mandatory", "Name the token after the tool that uses it (1–100 characters).");
  const token = REPORTING_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return client.$transaction(async (tx) => {
    const row = await tx.reportingToken.create({ data: { name: trimmed, prefix: token.slice(0, LOOKUP_PREFIX_LENGTH), tokenHash: hashToken(token), createdById: staffId } });
    await recordAudit(tx, staffActor(staffId), { action: "reporting_token.created", entityType: "ReportingToken", entityId: row.id, data: { name: trimmed, prefix: row.prefix } });
    return { id: row.id, token };
  });
}

export async function revokeReportingToken(client: Db, id: string, staffId: string): Promise<void> {
  await client.$transaction(async (tx) => {
    const revoked = await tx.reportingToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    if (revoked.count === 0) throw entityNotFound("reporting_token", "This token does not exist or is already revoked.");
    await recordAudit(tx, staffActor(staffId), { action: "reporting_token.revoked", entityType: "ReportingToken", entityId: id });
  });
}

export function listReportingTokens(client: Db) {
  return client.reportingToken.findMany({ orderBy: { createdAt: "desc" }, select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true } });
}

/** What `Authorization: Bearer …` carries. Checked on every request (revocation takes effect at once). */
export async function identifyReportingCredential(client: Db, authorization: string | null): Promise<ReportingCredential> {
  const [scheme, token] = authorization?.trim().split(/\s+/) ?? [];
  if (!token || scheme.toLowerCase() !== "bearer") return { kind: "missing" };
  if (token.startsWith(API_KEY_PREFIX)) return { kind: "service_key" };
  if (!token.startsWith(REPORTING_TOKEN_PREFIX) || token.length <= LOOKUP_PREFIX_LENGTH) return { kind: "invalid" };
  const row = await client.reportingToken.findUnique({ where: { prefix: token.slice(0, LOOKUP_PREFIX_LENGTH) } });
  if (!row || row.revokedAt) return { kind: "invalid" };
  const [presented, stored] = [Buffer.from(hashToken(token), "hex"), Buffer.from(row.tokenHash, "hex")];
  if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) return { kind: "invalid" };
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) await client.reportingToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return { kind: "reporting", tokenId: row.id };
}
