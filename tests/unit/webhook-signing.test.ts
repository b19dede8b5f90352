import { describe, expect, it } from "vitest";
import { buildWebhookRequest, retryDelayMs } from "@/lib/webhooks/webhook-delivery";
import { lagoHmacSignature, nexaSignatureHeader, verifyLagoHmacSignature, verifyWebhookSignature } from "@/lib/webhooks/webhook-signature";
import { createHmac } from "node:crypto";

const SECRET = "whsec_test";
const event = {
  id: "9f1c2d3e-0000-4000-8000-000000000001",
  serviceId: "5a5a5a5a-0000-4000-8000-000000000002",
  eventType: "invoice.created",
  objectType: "invoice",
  payload: { lago_id: "inv-1", total_amount_cents: 5650 },
  createdAt: new Date("2026-11-01T12:00:00.000Z"),
};

describe("retry back-off", () => {
  const settings = { baseDelayMs: 30_000, maxDelayMs: 6 * 3600_000 };
  it("doubles from the base with every failure, capped, plus up to 20 % jitter", () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n, settings, () => 0))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 15_360_000]);
    expect(retryDelayMs(11, settings, () => 0)).toBe(6 * 3600_000);
    expect(retryDelayMs(30, settings, () => 0)).toBe(6 * 3600_000);
    expect(retryDelayMs(1, settings, () => 0.999999)).toBe(36_000);
    expect(retryDelayMs(3, settings, () => 0.5)).toBe(132_000);
  });
});

describe("webhook request", () => {
  const now = new Date("2026-11-01T12:00:05.000Z");
  const request = buildWebhookRequest(event, SECRET, now);

  it("is Lago's envelope with our event id and creation time", () => {
    expect(JSON.parse(request.body)).toEqual({
      webhook_type: "invoice.created",
      object_type: "invoice",
      organization_id: event.serviceId,
      event_id: event.id,
      created_at: "2026-11-01T12:00:00.000Z",
      invoice: { lago_id: "inv-1", total_amount_cents: 5650 },
    });
  });

  it("carries both signatures, the event id as Lago's unique key, and the type", () => {
    const t = Math.floor(now.getTime() / 1000);
    expect(request.headers).toMatchObject({
      "Content-Type": "application/json",
      "X-Nexa-Event-Id": event.id,
      "X-Nexa-Event-Type": "invoice.created",
      "X-Nexa-Signature": `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${request.body}`).digest("hex")}`,
      "X-Lago-Signature": createHmac("sha256", SECRET).update(request.body).digest("base64"),
      "X-Lago-Signature-Algorithm": "hmac",
      "X-Lago-Unique-Key": event.id,
    });
  });

  it("verifies within the tolerance only, and only with the secret and the exact body", () => {
    const header = request.headers["X-Nexa-Signature"];
    expect(verifyWebhookSignature(request.body, header, SECRET, { now })).toEqual({ valid: true, timestamp: Math.floor(now.getTime() / 1000) });
    expect(verifyWebhookSignature(Buffer.from(request.body), header, SECRET, { now: new Date(now.getTime() + 299_000) }).valid).toBe(true);
    expect(verifyWebhookSignature(request.body, header, SECRET, { now: new Date(now.getTime() + 301_000) })).toEqual({ valid: false, reason: "timestamp_out_of_tolerance" });
    expect(verifyWebhookSignature(request.body, header, SECRET, { now: new Date(now.getTime() + 3600_000), toleranceSeconds: 7200 }).valid).toBe(true);
    expect(verifyWebhookSignature(request.body + " ", header, SECRET, { now })).toEqual({ valid: false, reason: "signature_mismatch" });
    expect(verifyWebhookSignature(request.body, header, "whsec_other", { now })).toEqual({ valid: false, reason: "signature_mismatch" });
    expect(verifyWebhookSignature(request.body, null, SECRET)).toEqual({ valid: false, reason: "missing_header" });
    expect(verifyWebhookSignature(request.body, "v1=abc", SECRET)).toEqual({ valid: false, reason: "malformed_header" });
    // A replayed request re-signed with a fresh timestamp needs the secret.
    const forged = header.replace(/t=\d+/, `t=${Math.floor(now.getTime() / 1000) + 600}`);
    expect(verifyWebhookSignature(request.body, forged, SECRET, { now: new Date(now.getTime() + 600_000) }).valid).toBe(false);
    // During a rotation a header may carry several signatures; any match is enough.
    const t = Math.floor(now.getTime() / 1000);
    const twoSignatures = `${nexaSignatureHeader(request.body, "whsec_old", t)},v1=${nexaSignatureHeader(request.body, SECRET, t).split("v1=")[1]}`;
    expect(verifyWebhookSignature(request.body, twoSignatures, SECRET, { now }).valid).toBe(true);
  });

  it("checks Lago's HMAC header", () => {
    expect(verifyLagoHmacSignature(request.body, lagoHmacSignature(request.body, SECRET), SECRET)).toBe(true);
    expect(verifyLagoHmacSignature(request.body, lagoHmacSignature(request.body, "whsec_other"), SECRET)).toBe(false);
    expect(verifyLagoHmacSignature(request.body, undefined, SECRET)).toBe(false);
  });
});
