// Webhook events as Stripe sends them: stored, signed (`Stripe-Signature: t=…,v1=…`) and POSTed, with a few retries
// on failure. Stripe promises neither order nor a single delivery: with `chaos` set, events created together are sent
// newest first and/or each one twice.
import { createHmac } from "node:crypto";
import { newId, nowSeconds, type ObjectStore, type StripeObject } from "./store";

export const apiVersion = "2026-10-28.endive";

export interface WebhookDelivery {
  url: string;
  attempt: number;
  /** The receiver's HTTP status; null when the request itself failed (see `error`). */
  statusCode: number | null;
  error: string | null;
  at: Date;
}

export interface SentEvent {
  event: StripeObject;
  deliveries: WebhookDelivery[];
  /** True once an attempt got a 2xx answer. */
  delivered: boolean;
  /** True once delivered, given up on, or not to be sent (no URL, type not enabled). */
  settled: boolean;
}

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  attempts: number;
  /** Delay before the first retry; doubled for each later one. */
  delayMs: number;
}

export interface DeliveryChaos {
  /** Events created within a few milliseconds of each other are delivered newest first. */
  outOfOrder: boolean;
  /** Every event is delivered a second time after the first round. */
  twice: boolean;
}

/** How long events are gathered before a chaotic round delivers them. */
const CHAOS_WINDOW_MS = 30;

export function signPayload(payload: string, secret: string, timestamp = nowSeconds()): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookSender {
  readonly sent: SentEvent[] = [];
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  chaos: DeliveryChaos = { outOfOrder: false, twice: false };
  private batch: { record: SentEvent; delivered: () => void }[] = [];
  private batchTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: ObjectStore,
    public url: string | null,
    readonly secret: string,
    private readonly retry: RetryPolicy,
    /** Event types sent to the URL (`*` for all), like an endpoint's enabled events; the others are only stored. */
    private readonly enabledEvents: string[] = ["*"],
  ) {}

  /** Stops delivering (pending retries give up). */
  close(): void {
    this.closed = true;
  }

  private sendsType(type: string): boolean {
    return this.enabledEvents.includes("*") || this.enabledEvents.includes(type);
  }

  /** Stores the event and queues its delivery; the promise settles once it is delivered or given up on. */
  emit(type: string, object: StripeObject | Record<string, unknown>, request: { id: string | null; idempotency_key: string | null } = { id: null, idempotency_key: null }) {
    const event = this.store.insert({
      id: newId("evt"),
      object: "event",
      api_version: apiVersion,
      created: nowSeconds(),
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: this.url && this.sendsType(type) ? 1 : 0,
      request,
      type,
    });
    const record: SentEvent = { event, deliveries: [], delivered: false, settled: false };
    this.sent.push(record);
    if (this.chaos.outOfOrder || this.chaos.twice) {
      const delivery = new Promise<void>((delivered) => {
        this.batch.push({ record, delivered });
        this.batchTimer ??= setTimeout(() => this.deliverBatch(), CHAOS_WINDOW_MS);
      }).finally(() => (record.settled = true));
      return { event, delivery };
    }
    const delivery = this.queue.then(() => this.deliver(record)).finally(() => (record.settled = true));
    this.queue = delivery;
    return { event, delivery };
  }

  private deliverBatch(): void {
    const batch = this.batch;
    this.batch = [];
    this.batchTimer = null;
    const ordered = this.chaos.outOfOrder ? [...batch].reverse() : batch;
    const twice = this.chaos.twice;
    this.queue = this.queue.then(async () => {
      for (const { record } of ordered) await this.deliver(record);
      if (twice) for (const { record } of ordered) await this.deliver(record);
      for (const { delivered } of batch) delivered();
    });
  }

  /** Resolves when every event emitted so far has been delivered or given up on. */
  async idle(): Promise<void> {
    while (this.batchTimer) await new Promise((r) => setTimeout(r, CHAOS_WINDOW_MS));
    return this.queue;
  }

  private async deliver(record: SentEvent): Promise<void> {
    const url = this.url;
    if (!url || this.closed || !this.sendsType(String(record.event.type))) return;
    const payload = JSON.stringify(record.event, null, 2);
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.retry.delayMs * 2 ** (attempt - 2)));
      if (this.closed) return;
      let statusCode: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signPayload(payload, this.secret),
          },
          body: payload,
          redirect: "manual",
          signal: AbortSignal.timeout(10_000),
        });
        statusCode = response.status;
        await response.arrayBuffer();
      } catch (e) {
        error = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      }
      record.deliveries.push({ url, attempt, statusCode, error, at: new Date() });
      if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
        record.delivered = true;
        record.event.pending_webhooks = 0;
        return;
      }
    }
  }
}
