import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { staffActor } from "@/lib/audit/audit-log";
import { csvCell, csvLine } from "@/lib/csv";
import { reportSeedCredentials } from "@/lib/seed/seed-credentials";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { createService } from "@/lib/services/services";
import { openWebhookSecret, sealStoredWebhookSecrets } from "@/lib/services/webhook-secrets";
import { rotateWebhookSecret } from "@/lib/services/webhook-settings";
import { buildWebhookRequest } from "@/lib/webhooks/webhook-delivery";
import { verifyWebhookSignature } from "@/lib/webhooks/webhook-signature";
import { testDb, uniqueSuffix } from "../support/api-fixture";
import { seededStaffId } from "../support/domain-fixture";

describe("secrets at rest", () => {
  it("stores webhook signing secrets sealed, never in plaintext, and signs with the opened secret", async () => {
    const actor = staffActor(await seededStaffId());
    const service = await createService(testDb(), { code: `sealed_${uniqueSuffix()}`, name: "Sealed", mode: "live" }, actor);
    const stored = service.webhookSigningSecret!;
    expect(stored).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(stored).not.toMatch(/whsec_/);
    const rotated = await rotateWebhookSecret(testDb(), service.id, actor);
    const row = await testDb().service.findUniqueOrThrow({ where: { id: service.id } });
    expect(row.webhookSigningSecret).not.toContain(rotated);
    expect(openWebhookSecret(row.webhookSigningSecret!)).toBe(rotated);
    // What the delivery worker builds verifies against the secret the app was given.
    const request = buildWebhookRequest({ id: "e1", serviceId: service.id, eventType: "customer.updated", objectType: "customer", payload: {}, createdAt: new Date() }, openWebhookSecret(row.webhookSigningSecret!), new Date());
    expect(verifyWebhookSignature(request.body, request.headers["X-Nexa-Signature"], rotated).valid).toBe(true);
  });

  it("seals the plaintext secrets stored before encryption, once, keeping their value", async () => {
    const plain = generateWebhookSecret();
    const service = await testDb().service.create({ data: { code: `legacy_${uniqueSuffix()}`, name: "Legacy", mode: "live", webhookSigningSecret: plain } });
    expect(await sealStoredWebhookSecrets(testDb())).toBeGreaterThanOrEqual(1);
    const stored = (await testDb().service.findUniqueOrThrow({ where: { id: service.id } })).webhookSigningSecret!;
    expect(stored).toMatch(/^v1:/);
    expect(openWebhookSecret(stored)).toBe(plain);
    // Running it again changes nothing.
    await sealStoredWebhookSecrets(testDb());
    expect((await testDb().service.findUniqueOrThrow({ where: { id: service.id } })).webhookSigningSecret).toBe(stored);
    expect(await testDb().service.count({ where: { webhookSigningSecret: { startsWith: "whsec_" } } })).toBe(0);
  });

  it("puts the seed's admin password and demo keys on a terminal only; otherwise in a 0600 file under .data/", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nexa-seed-"));
    try {
      const lines = ["E-mail:   admin@nexa.example", "Password: s3cret-Pa55", "API key (nexachat): nexa_sk_abc"];
      const printed: string[] = [];
      const piped = reportSeedCredentials(lines, { isTTY: false, dataDir: path.join(dir, ".data"), print: (l) => printed.push(l) });
      expect(piped.printed).toBe(false);
      expect(piped.file!.startsWith(path.join(dir, ".data"))).toBe(true);
      expect(statSync(piped.file!).mode & 0o777).toBe(0o600);
      expect(readFileSync(piped.file!, "utf8")).toContain("Password: s3cret-Pa55");
      expect(printed.join("\n")).toContain(piped.file!);
      expect(printed.join("\n")).not.toMatch(/s3cret|nexa_sk_/);

      const shown: string[] = [];
      expect(reportSeedCredentials(lines, { isTTY: true, dataDir: path.join(dir, "other"), print: (l) => shown.push(l) })).toEqual({ printed: true });
      expect(shown.join("\n")).toContain("Password: s3cret-Pa55");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("neutralises CSV cells that a spreadsheet would run as a formula", () => {
    for (const cell of ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=1,2"]) {
      const out = csvCell(cell);
      expect(out.replace(/^"/, "").startsWith("'"), cell).toBe(true);
    }
    expect(csvCell("=1,2")).toBe("\"'=1,2\"");
    expect(csvLine(["-24.50", "12", "Borealis Inc.", null, "a\"b"])).toBe("-24.50,12,Borealis Inc.,,\"a\"\"b\"");
  });
});
