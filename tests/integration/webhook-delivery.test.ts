import { afterAll, describe, expect, it } from "vitest";
import { generateWebhookSecret } from "@/lib/services/api-keys";
import { recordWebhookEvent } from "@/lib/webhooks/outbound-events";
import { deliverDueWebhooks, replayDelivery } from "@/lib/webhooks/webhook-delivery";
import { verifyWebhookSignature } from "@/lib/webhooks/webhook-signature";
import { createTestService, testDb } from "../support/api-fixture";
import { waitFor, WebhookReceiver } from "../support/webhook-receiver";

// The app server's delivery worker (scripts/test.ts: polls every 200 ms, retries after 0.2–1.5 s, 8 attempts) delivers
// to receivers started here; the tests wait for what a real app would see.

async function serviceWithEndpoint(url: string, eventTypes: string[] = []) {
  const svc = await createTestService("live");
  const secret = generateWebhookSecret();
  await testDb().service.update({ where: { id: svc.id }, data: { webhookSigningSecret: secret } });
  const endpoint = await testDb().webhookEndpoint.create({ data: { serviceId: svc.id, url, eventTypes } });
  return { svc, secret, endpoint };
}

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

describe("outbound webhook delivery", () => {
  it("signs each request so the receiver can verify it, with Lago's headers too", async () => {
    const receiver = new WebhookReceiver("");
    receivers.push(receiver);
    const url = await receiver.reservePort();
    const { svc, secret } = await serviceWithEndpoint(url);
    Object.assign(receiver, { secret });
    await receiver.start();

    const event = await recordWebhookEvent(testDb(), {
      serviceId: svc.id, type: "customer.updated", objectType: "customer", objectId: "c-1", object: { lago_id: "c-1", name: "Ada", balance_cents: 12n },
    });
    expect(event).not.toBeNull();
    await waitFor(() => receiver.accepted().length === 1);
    const [got] = receiver.accepted();
    expect(got.nexaSignatureValid).toBe(true);
    expect(got.lagoSignatureValid).toBe(true);
    expect(got.headers["x-lago-signature-algorithm"]).toBe("hmac");
    expect(got.headers["x-lago-unique-key"]).toBe(event!.id);
    expect(got.eventId).toBe(event!.id);
    expect(got.body).toMatchObject({
      webhook_type: "customer.updated", object_type: "customer", organization_id: svc.id, event_id: event!.id,
      customer: { lago_id: "c-1", name: "Ada", balance_cents: 12 },
    });
    // A tampered body, a wrong secret or a stale timestamp are refused.
    const header = got.headers["x-nexa-signature"] as string;
    expect(verifyWebhookSignature(got.rawBody.replace("Ada", "Eve"), header, secret)).toEqual({ valid: false, reason: "signature_mismatch" });
    expect(verifyWebhookSignature(got.rawBody, header, "whsec_other").valid).toBe(false);
    expect(verifyWebhookSignature(got.rawBody, header, secret, { now: new Date(Date.now() + 301_000) })).toEqual({ valid: false, reason: "timestamp_out_of_tolerance" });

    // The attempt is recorded once the answer is in.
    const delivery = (await waitFor(() => testDb().webhookDelivery.findFirst({ where: { eventId: event!.id, status: "delivered" }, include: { attemptsLog: true } })))!;
    expect(delivery).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 200 });
    expect(delivery.attemptsLog).toHaveLength(1);
    expect(delivery.attemptsLog[0]).toMatchObject({ attempt: 1, statusCode: 200, response: "ok" });
  });

  it("receiver down, then failing, then up: each event exactly once, in creation order per subscription", async () => {
    const receiver = new WebhookReceiver("");
    receivers.push(receiver);
    const url = await receiver.reservePort(); // nothing listens yet: connection refused
    const { svc, secret } = await serviceWithEndpoint(url);
    Object.assign(receiver, { secret });

    const ids: Record<string, string[]> = { "sub-a": [], "sub-b": [] };
    for (let i = 1; i <= 6; i++) {
      for (const sub of ["sub-a", "sub-b"]) {
        const event = await recordWebhookEvent(testDb(), {
          serviceId: svc.id, type: i === 1 ? "subscription.started" : "subscription.updated", objectType: "subscription", objectId: sub,
          orderingKey: sub, object: { external_id: sub, step: i },
        });
        ids[sub].push(event!.id);
      }
    }
    // Refused connections are retried with back-off; nothing is delivered while the receiver is down.
    await waitFor(async () => (await testDb().webhookDeliveryAttempt.count({ where: { delivery: { event: { serviceId: svc.id } } } })) >= 4);
    const firsts = await testDb().webhookDelivery.findMany({ where: { event: { serviceId: svc.id }, attempts: { gt: 0 } }, include: { event: true } });
    // Only the head of each subscription was tried: later events wait for the earlier ones.
    expect(new Set(firsts.map((d) => d.event.id))).toEqual(new Set([ids["sub-a"][0], ids["sub-b"][0]]));
    expect(firsts.every((d) => d.status === "pending" && d.lastStatusCode === null && d.lastError)).toBe(true);

    receiver.mode = "error";
    await receiver.start();
    await waitFor(() => receiver.received.length >= 3);
    receiver.mode = "ok";

    await waitFor(() => receiver.accepted().length >= 12, { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 500)); // anything extra would arrive now
    const accepted = receiver.accepted();
    expect(accepted).toHaveLength(12);
    expect(new Set(accepted.map((r) => r.eventId)).size).toBe(12);
    for (const sub of ["sub-a", "sub-b"]) {
      expect(accepted.filter((r) => (r.body.subscription as { external_id: string }).external_id === sub).map((r) => r.eventId)).toEqual(ids[sub]);
    }
    expect(receiver.received.every((r) => r.nexaSignatureValid && r.lagoSignatureValid)).toBe(true);
    const deliveries = await testDb().webhookDelivery.findMany({ where: { event: { serviceId: svc.id } } });
    expect(deliveries.every((d) => d.status === "delivered")).toBe(true);
    // The failures are in the log: refused connections (no status) and 500s.
    const log = await testDb().webhookDeliveryAttempt.findMany({ where: { delivery: { event: { serviceId: svc.id } } } });
    expect(log.some((a) => a.statusCode === null && a.error)).toBe(true);
    expect(log.some((a) => a.statusCode === 500)).toBe(true);
  });

  it("gives up after the maximum attempts without holding back later events; a replay sends the same event again", async () => {
    const receiver = new WebhookReceiver("");
    receivers.push(receiver);
    const url = await receiver.reservePort();
    const { svc, secret } = await serviceWithEndpoint(url, ["invoice.created", "invoice.finalized"]);
    Object.assign(receiver, { secret });
    receiver.mode = "error";
    await receiver.start();
    // Not subscribed: nothing is recorded.
    expect(await recordWebhookEvent(testDb(), { serviceId: svc.id, type: "invoice.voided", objectType: "invoice", objectId: "inv-1", object: { lago_id: "inv-1" } })).toBeNull();
    const created = await recordWebhookEvent(testDb(), { serviceId: svc.id, type: "invoice.created", objectType: "invoice", objectId: "inv-1", object: { lago_id: "inv-1" } });

    const failed = (await waitFor(() => testDb().webhookDelivery.findFirst({ where: { eventId: created!.id, status: "failed" } }), { timeoutMs: 20_000 }))!;
    expect(failed.attempts).toBe(8);
    expect(receiver.received.filter((r) => r.eventId === created!.id)).toHaveLength(8);

    // A failed delivery no longer blocks the next event of its key.
    receiver.mode = "ok";
    const finalized = await recordWebhookEvent(testDb(), { serviceId: svc.id, type: "invoice.finalized", objectType: "invoice", objectId: "inv-1", object: { lago_id: "inv-1" } });
    await waitFor(() => receiver.accepted().some((r) => r.eventId === finalized!.id));

    expect(await replayDelivery(testDb(), failed.id)).not.toBeNull();
    const replayed = (await waitFor(() => testDb().webhookDelivery.findFirst({ where: { id: failed.id, status: "delivered" } })))!;
    expect(replayed).toMatchObject({ status: "delivered", attempts: 9, replayedAtAttempt: 8, lastStatusCode: 200 });
    const again = receiver.accepted().find((r) => r.eventId === created!.id)!;
    expect(again.headers["x-lago-unique-key"]).toBe(created!.id);
  });

  it("deliverDueWebhooks: a hanging endpoint costs one timeout and does not hold up another endpoint", async () => {
    const hanging = new WebhookReceiver("");
    const healthy = new WebhookReceiver("");
    receivers.push(hanging, healthy);
    const a = await serviceWithEndpoint(await hanging.reservePort());
    const b = await serviceWithEndpoint(await healthy.reservePort());
    Object.assign(hanging, { secret: a.secret });
    Object.assign(healthy, { secret: b.secret });
    hanging.mode = "hang";
    await hanging.start();
    await healthy.start();
    // Due in an hour, so the app's worker leaves them to this test, which delivers "an hour later".
    const later = new Date(Date.now() + 3600_000);
    const record = (svc: { id: string }, id: string) =>
      testDb().$transaction(async (tx) => {
        const event = await recordWebhookEvent(tx, { serviceId: svc.id, type: "customer.created", objectType: "customer", objectId: id, object: { lago_id: id } });
        await tx.webhookDelivery.updateMany({ where: { eventId: event!.id }, data: { nextAttemptAt: later } });
        return event!;
      });
    const stuck = await record(a.svc, "c-hang");
    const fine = await record(b.svc, "c-fine");

    const started = Date.now();
    const deliver = (svc: { id: string }) => deliverDueWebhooks(testDb(), { now: new Date(later.getTime() + 1000), serviceId: svc.id, settings: { timeoutMs: 800 } });
    const outcomes = (await Promise.all([deliver(a.svc), deliver(b.svc)])).flat();
    expect(Date.now() - started).toBeLessThan(5000);
    const byDelivery = new Map(outcomes.map((o) => [o.deliveryId, o]));
    const [stuckDelivery] = await testDb().webhookDelivery.findMany({ where: { eventId: stuck.id } });
    const [fineDelivery] = await testDb().webhookDelivery.findMany({ where: { eventId: fine.id } });
    expect(byDelivery.get(stuckDelivery.id)).toMatchObject({ ok: false, statusCode: null, error: "timed out after 800 ms" });
    expect(byDelivery.get(fineDelivery.id)).toMatchObject({ ok: true, statusCode: 200 });
    expect(healthy.accepted().map((r) => r.eventId)).toEqual([fine.id]);
    const retry = await testDb().webhookDelivery.findUniqueOrThrow({ where: { id: stuckDelivery.id } });
    expect(retry).toMatchObject({ status: "pending", attempts: 1, lastError: "timed out after 800 ms" });
    expect(retry.nextAttemptAt.getTime()).toBeGreaterThan(later.getTime());
  });
});
