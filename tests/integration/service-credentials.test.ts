import { beforeAll, describe, expect, it } from "vitest";
import { staffActor } from "@/lib/audit/audit-log";
import { apiKeyMatches } from "@/lib/services/api-keys";
import { issueApiKey, revokeApiKey, rotateApiKey } from "@/lib/services/service-api-keys";
import { createService } from "@/lib/services/services";
import { openWebhookSecret } from "@/lib/services/webhook-secrets";
import { maskSecret, rotateWebhookSecret, webhookUrlProblem } from "@/lib/services/webhook-settings";
import { createWebhookEndpoint, deleteWebhookEndpoint, updateWebhookEndpoint } from "@/lib/webhooks/webhook-endpoints";
import { testDb, uniqueSuffix } from "../support/api-fixture";
import { domainRefusal, seededStaffId } from "../support/domain-fixture";

const db = testDb;
let staffId: string;
const actor = () => staffActor(staffId);

beforeAll(async () => {
  staffId = await seededStaffId();
});

async function auditOf(entityId: string) {
  return db().auditLog.findMany({ where: { entityId }, orderBy: { createdAt: "asc" } });
}

describe("createService", () => {
  it("creates the service with a webhook signing secret and no key, recorded as the staff member's", async () => {
    const code = `svc_${uniqueSuffix()}`;
    const service = await createService(db(), { code, name: "Test maps API", mode: "live" }, actor());
    expect(service).toMatchObject({ code, name: "Test maps API", mode: "live" });
    // Stored sealed: the database holds no usable secret.
    expect(service.webhookSigningSecret).toMatch(/^v1:/);
    expect(openWebhookSecret(service.webhookSigningSecret!)).toMatch(/^whsec_/);
    expect(await db().apiKey.count({ where: { serviceId: service.id } })).toBe(0);
    expect(await auditOf(service.id)).toMatchObject([{ action: "service.created", actorType: "staff", actorId: staffId }]);
  });

  it("refuses a code already used, on the code field", async () => {
    const code = `svc_${uniqueSuffix()}`;
    await createService(db(), { code, name: "Test first", mode: "shadow" }, actor());
    const error = await domainRefusal(createService(db(), { code, name: "Test second", mode: "shadow" }, actor()));
    expect(error.details).toEqual({ code: ["value_already_exist"] });
    expect(await db().service.count({ where: { code } })).toBe(1);
  });
});

describe("API keys", () => {
  let serviceId: string;
  beforeAll(async () => {
    serviceId = (await createService(db(), { code: `keys_${uniqueSuffix()}`, name: "Test keys", mode: "live" }, actor())).id;
  });

  it("issues a key whose full text is returned once and only its hash and prefix are stored", async () => {
    const issued = await issueApiKey(db(), serviceId, actor(), "production");
    expect(issued.key.startsWith(issued.apiKey.prefix)).toBe(true);
    const stored = await db().apiKey.findUniqueOrThrow({ where: { id: issued.apiKey.id } });
    expect(stored).toMatchObject({ name: "production", revokedAt: null, lastUsedAt: null });
    expect(JSON.stringify(stored)).not.toContain(issued.key);
    expect(apiKeyMatches(issued.key, stored.keyHash)).toBe(true);
    const [entry] = await auditOf(issued.apiKey.id);
    expect(entry).toMatchObject({ action: "api_key.created", actorType: "staff", actorId: staffId, entityType: "ApiKey", data: { serviceId, prefix: stored.prefix } });
    expect(JSON.stringify(entry.data)).not.toContain(issued.key);
  });

  it("revokes a key once; a second revocation and another service's key are refused", async () => {
    const issued = await issueApiKey(db(), serviceId, actor());
    const revoked = await revokeApiKey(db(), serviceId, issued.apiKey.id, actor());
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect((await domainRefusal(revokeApiKey(db(), serviceId, issued.apiKey.id, actor()))).code).toBe("api_key_already_revoked");

    const other = await createService(db(), { code: `other_${uniqueSuffix()}`, name: "Test other", mode: "live" }, actor());
    const foreign = await issueApiKey(db(), other.id, actor());
    expect((await domainRefusal(revokeApiKey(db(), serviceId, foreign.apiKey.id, actor()))).kind).toBe("not_found");
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: foreign.apiKey.id } })).revokedAt).toBeNull();
    expect((await auditOf(issued.apiKey.id)).map((e) => e.action)).toEqual(["api_key.created", "api_key.revoked"]);
  });

  it("rotates: a new key with the same name, the old one revoked, in one step", async () => {
    const old = await issueApiKey(db(), serviceId, actor(), "ingestion");
    const rotated = await rotateApiKey(db(), serviceId, old.apiKey.id, actor());
    expect(rotated.apiKey).toMatchObject({ name: "ingestion", revokedAt: null });
    expect(rotated.key).not.toBe(old.key);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: old.apiKey.id } })).revokedAt).toBeInstanceOf(Date);
    const [entry] = await auditOf(rotated.apiKey.id);
    expect(entry).toMatchObject({ action: "api_key.rotated", actorId: staffId, data: { replacedKeyId: old.apiKey.id } });
  });

  it("creates no key when the key to rotate is already revoked", async () => {
    const old = await issueApiKey(db(), serviceId, actor());
    await revokeApiKey(db(), serviceId, old.apiKey.id, actor());
    const before = await db().apiKey.count({ where: { serviceId } });
    expect((await domainRefusal(rotateApiKey(db(), serviceId, old.apiKey.id, actor()))).code).toBe("api_key_already_revoked");
    expect(await db().apiKey.count({ where: { serviceId } })).toBe(before);
  });
});

describe("webhook settings", () => {
  it("accepts https URLs (http only for localhost) and refuses the rest", () => {
    expect(webhookUrlProblem("https://app.example.com/hooks")).toBeNull();
    expect(webhookUrlProblem("http://localhost:4000/hooks")).toBeNull();
    expect(webhookUrlProblem("http://app.example.com/hooks")).toBe("https_required");
    expect(webhookUrlProblem("https://user:pass@app.example.com/")).toBe("value_is_invalid");
    expect(webhookUrlProblem("ftp://app.example.com/")).toBe("value_is_invalid");
    expect(webhookUrlProblem("app.example.com/hooks")).toBe("value_is_invalid");
    expect(webhookUrlProblem(`https://app.example.com/${"a".repeat(2000)}`)).toBe("value_is_too_long");
  });

  it("adds, disables and removes endpoints, refusing a bad URL on its field, each change audited", async () => {
    const service = await createService(db(), { code: `hooks_${uniqueSuffix()}`, name: "Test hooks", mode: "live" }, actor());
    const endpoint = await createWebhookEndpoint(db(), service.id, { url: "https://app.example.com/hooks", eventTypes: ["Invoice.Created"] }, actor());
    expect(endpoint).toMatchObject({ url: "https://app.example.com/hooks", eventTypes: ["invoice.created"], active: true, signatureAlgo: "hmac" });
    expect((await domainRefusal(createWebhookEndpoint(db(), service.id, { url: "http://app.example.com/hooks" }, actor()))).details).toEqual({ webhook_url: ["https_required"] });
    expect((await domainRefusal(createWebhookEndpoint(db(), service.id, { url: "https://app.example.com/hooks" }, actor()))).details).toEqual({ webhook_url: ["value_already_exist"] });
    expect((await updateWebhookEndpoint(db(), service.id, endpoint.id, { active: false }, actor())).active).toBe(false);
    await deleteWebhookEndpoint(db(), service.id, endpoint.id, actor());
    expect(await db().webhookEndpoint.count({ where: { serviceId: service.id } })).toBe(0);
    expect((await auditOf(endpoint.id)).map((e) => [e.action, e.actorId])).toEqual([
      ["webhook_endpoint.created", staffId], ["webhook_endpoint.updated", staffId], ["webhook_endpoint.deleted", staffId],
    ]);
  });

  it("rotates the signing secret, returning the new one and keeping it out of the audit log", async () => {
    const service = await createService(db(), { code: `secret_${uniqueSuffix()}`, name: "Test secret", mode: "live" }, actor());
    const secret = await rotateWebhookSecret(db(), service.id, actor());
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(openWebhookSecret(service.webhookSigningSecret!));
    const stored = (await db().service.findUniqueOrThrow({ where: { id: service.id } })).webhookSigningSecret!;
    expect(stored).not.toContain(secret);
    expect(openWebhookSecret(stored)).toBe(secret);
    const entry = (await auditOf(service.id)).find((e) => e.action === "webhook.secret_rotated");
    expect(entry).toMatchObject({ actorType: "staff", actorId: staffId });
    expect(JSON.stringify(entry)).not.toContain(secret);
    expect((await domainRefusal(rotateWebhookSecret(db(), "00000000-0000-4000-8000-000000000000", actor()))).kind).toBe("not_found");
  });

  it("masks a secret to its scheme and last four characters", () => {
    expect(maskSecret("whsec_abcdefghijklmnop1234")).toBe("whsec_••••••••••••1234");
    expect(maskSecret("plainsecret9876")).toBe("••••••••••••9876");
  });
});
