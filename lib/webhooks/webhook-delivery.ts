import type { Db } from "@/lib/db/prisma";
import { openWebhookSecret } from "@/lib/services/webhook-secrets";
import { postWebhook } from "./webhook-http";
import { lagoHmacSignature, nexaSignatureHeader } from "./webhook-signature";

/**
 * The delivery worker. The WebhookDelivery table is the durable queue: billing only inserts rows (see
 * outbound-events.ts); this module claims due rows, POSTs them and records each attempt. Safe with several app
 * instances: rows are claimed with FOR UPDATE SKIP LOCKED and leased (nextAttemptAt moved past the request timeout)
 * while their request is in flight, so a crashed instance's claims come back after the lease.
 *
 * Ordering: for one endpoint and ordering key, a delivery is only claimed when no earlier event of that key is still
 * pending for the endpoint. A delivery that ran out of attempts (`failed`) no longer holds the later ones back.
 */
export interface WebhookDeliverySettings {
  /** Request timeout; a hanging endpoint costs at most this much per attempt. */
  timeoutMs: number;
  /** Attempts before a delivery is `failed` (a replay gives it this many again). */
  maxAttempts: number;
  /** First retry delay; it doubles with every failed attempt, up to maxDelayMs, plus up to 20 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** At most this many requests in flight per endpoint, so a slow endpoint cannot take every slot. */
  perEndpointLimit: number;
}

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export function webhookDeliverySettings(): WebhookDeliverySettings {
  return {
    timeoutMs: envNumber("NEXA_WEBHOOK_TIMEOUT_MS", 10_000),
    maxAttempts: envNumber("NEXA_WEBHOOK_MAX_ATTEMPTS", 12),
    baseDelayMs: envNumber("NEXA_WEBHOOK_RETRY_BASE_MS", 30_000),
    maxDelayMs: envNumber("NEXA_WEBHOOK_RETRY_MAX_MS", 6 * 3600_000),
    perEndpointLimit: envNumber("NEXA_WEBHOOK_PER_ENDPOINT", 5),
  };
}

/** Delay before the next attempt after `failedAttempts` failures (1-based): base·2^(n-1), capped, plus 0–20 % jitter. */
export function retryDelayMs(failedAttempts: number, settings: Pick<WebhookDeliverySettings, "baseDelayMs" | "maxDelayMs">, random = Math.random): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(exponential * (1 + 0.2 * random()));
}

export interface ClaimedDelivery {
  id: string;
}

/** Claims up to `limit` due deliveries (each the next of its ordering key) and leases them for one attempt. */
export async function claimDueDeliveries(
  client: Db,
  options: { now: Date; limit: number; settings: WebhookDeliverySettings; serviceId?: string },
): Promise<ClaimedDelivery[]> {
  const { now, limit, settings, serviceId = null } = options;
  if (limit <= 0) return [];
  const leaseUntil = new Date(now.getTime() + settings.timeoutMs + 60_000);
  // The window function (per-endpoint cap, counting requests already in flight) cannot share a query with FOR UPDATE,
  // so candidates are ranked first and locked after, re-checking that each is still pending, due and not leased.
  return client.$queryRaw<ClaimedDelivery[]>`
    WITH in_flight AS (
      SELECT "endpointId", count(*)::int AS n FROM "WebhookDelivery"
       WHERE status = 'pending' AND "leasedUntil" > ${now}
       GROUP BY "endpointId"
    ), heads AS (
      SELECT d.id, d."endpointId", row_number() OVER (PARTITION BY d."endpointId" ORDER BY d."nextAttemptAt", d."eventSequence") AS rank
        FROM "WebhookDelivery" d
        JOIN "WebhookEndpoint" e ON e.id = d."endpointId" AND e.active AND (${serviceId}::uuid IS NULL OR e."serviceId" = ${serviceId}::uuid)
       WHERE d.status = 'pending' AND d."nextAttemptAt" <= ${now} AND (d."leasedUntil" IS NULL OR d."leasedUntil" <= ${now})
         AND (d."orderingKey" IS NULL OR NOT EXISTS (
               SELECT 1 FROM "WebhookDelivery" p
                WHERE p."endpointId" = d."endpointId" AND p."orderingKey" = d."orderingKey"
                  AND p."eventSequence" < d."eventSequence" AND p.status = 'pending'))
    ), picked AS (
      SELECT d.id FROM "WebhookDelivery" d
        JOIN heads h ON h.id = d.id
        LEFT JOIN in_flight f ON f."endpointId" = h."endpointId"
       WHERE h.rank + coalesce(f.n, 0) <= ${settings.perEndpointLimit}
         AND d.status = 'pending' AND d."nextAttemptAt" <= ${now} AND (d."leasedUntil" IS NULL OR d."leasedUntil" <= ${now})
       ORDER BY d."nextAttemptAt", d."eventSequence"
       LIMIT ${limit}
         FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE "WebhookDelivery" d SET "leasedUntil" = ${leaseUntil}, "updatedAt" = now()
      FROM picked WHERE d.id = picked.id
    RETURNING d.id`;
}

/** The exact request a delivery sends: body and headers (signed at `now`). */
export function buildWebhookRequest(
  event: { id: string; serviceId: string; eventType: string; objectType: string; payload: unknown; createdAt: Date },
  secret: string,
  now: Date,
): { body: string; headers: Record<string, string> } {
  const envelope = {
    webhook_type: event.eventType,
    object_type: event.objectType,
    organization_id: event.serviceId,
    event_id: event.id,
    created_at: event.createdAt.toISOString(),
    [event.objectType]: event.payload,
  };
  const body = JSON.stringify(envelope);
  return {
    body,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Nexa-Billing-Webhooks/1",
      "X-Nexa-Event-Id": event.id,
      "X-Nexa-Event-Type": event.eventType,
      "X-Nexa-Signature": nexaSignatureHeader(body, secret, Math.floor(now.getTime() / 1000)),
      "X-Lago-Signature": lagoHmacSignature(body, secret),
      "X-Lago-Signature-Algorithm": "hmac",
      "X-Lago-Unique-Key": event.id,
    },
  };
}

export interface AttemptOutcome {
  deliveryId: string;
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

/** Makes one attempt of a claimed delivery and records it (attempt row, delivery state, next retry or `failed`). */
export async function attemptDelivery(client: Db, claimed: ClaimedDelivery, settings: WebhookDeliverySettings, now = new Date()): Promise<AttemptOutcome> {
  const delivery = await client.webhookDelivery.findUnique({
    where: { id: claimed.id },
    include: { event: true, endpoint: { include: { service: { select: { webhookSigningSecret: true } } } } },
  });
  if (!delivery) return { deliveryId: claimed.id, ok: false, statusCode: null, latencyMs: 0, error: "delivery removed" };
  const stored = delivery.endpoint.service.webhookSigningSecret;
  const secret = stored ? openWebhookSecret(stored) : null;
  const startedAt = new Date();
  const result = secret
    ? await postWebhook(delivery.endpoint.url, buildWebhookRequest(delivery.event, secret, startedAt), settings.timeoutMs)
    : { statusCode: null, ok: false, error: "the service has no webhook signing secret", response: null, latencyMs: 0 };
  const attempt = delivery.attempts + 1;
  const failedSinceReplay = attempt - delivery.replayedAtAttempt;
  const finished = new Date(Math.max(now.getTime(), Date.now()));
  const status = result.ok ? "delivered" : failedSinceReplay >= settings.maxAttempts ? "failed" : "pending";
  await client.$transaction([
    client.webhookDeliveryAttempt.create({
      data: { deliveryId: delivery.id, attempt, startedAt, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error, response: result.response },
    }),
    client.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        status,
        attempts: attempt,
        leasedUntil: null,
        lastAttemptAt: startedAt,
        lastStatusCode: result.statusCode,
        lastLatencyMs: result.latencyMs,
        lastError: result.error,
        deliveredAt: result.ok ? finished : null,
        nextAttemptAt: status === "pending" ? new Date(finished.getTime() + retryDelayMs(failedSinceReplay, settings)) : delivery.nextAttemptAt,
      },
    }),
  ]);
  return { deliveryId: delivery.id, ok: result.ok, statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error };
}

/**
 * Claims the due deliveries (optionally of one service only) and attempts them concurrently; resolves when all are
 * recorded. A later call picks up what this one's results made due (the next event of each ordering key).
 */
export async function deliverDueWebhooks(
  client: Db,
  options: { now?: Date; limit?: number; serviceId?: string; settings?: Partial<WebhookDeliverySettings> } = {},
): Promise<AttemptOutcome[]> {
  const settings = { ...webhookDeliverySettings(), ...options.settings };
  const now = options.now ?? new Date();
  const claimed = await claimDueDeliveries(client, { now, limit: options.limit ?? 50, settings, serviceId: options.serviceId });
  return Promise.all(claimed.map((c) => attemptDelivery(client, c, settings, now)));
}

/**
 * Queues a delivery again now, with the same event id (receivers deduplicate on it) and a fresh retry budget. Refused
 * (null) while an attempt is in flight.
 */
export async function replayDelivery(client: Db, deliveryId: string, now = new Date()) {
  const rows = await client.$queryRaw<{ id: string }[]>`
    UPDATE "WebhookDelivery"
       SET status = 'pending', "nextAttemptAt" = ${now}, "replayedAtAttempt" = attempts, "deliveredAt" = NULL, "updatedAt" = now()
     WHERE id = ${deliveryId}::uuid AND ("leasedUntil" IS NULL OR "leasedUntil" <= ${now} OR status <> 'pending')
    RETURNING id`;
  return rows[0] ?? null;
}
