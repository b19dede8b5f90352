// A local Stripe-compatible API server for tests and offline development: the official `stripe` SDK works against it
// unchanged with `new Stripe(server.secretKey, { host: server.host, port: server.port, protocol: "http" })`.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import type { CardBehaviour } from "./cards";
import type { ServerState } from "./context";
import { createRequestHandler, type Faults, type RecordedRequest } from "./router";
import { ObjectStore } from "./store";
import { WebhookSender, type DeliveryChaos, type RetryPolicy, type SentEvent } from "./webhooks";

export type { CardBehaviour } from "./cards";
export type { RecordedRequest } from "./router";
export type { DeliveryChaos, RetryPolicy, SentEvent, WebhookDelivery } from "./webhooks";

export interface StripeTestServerOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** Where events are POSTed; none are sent until one is set. */
  webhookUrl?: string;
  /** `whsec_…`; a random one when absent. */
  webhookSecret?: string;
  /** Webhook retries after a failed delivery (default: 4 attempts, 250 ms doubling). */
  webhookRetry?: Partial<RetryPolicy>;
  /** Event types delivered to the webhook URL, like an endpoint's enabled events (default `["*"]`: all). */
  enabledEvents?: string[];
}

export interface StripeTestServer {
  baseUrl: string;
  host: string;
  port: number;
  protocol: "http";
  /** An `sk_test_…` key it accepts (any `sk_test_`/`rk_test_` key is; other keys are 401). */
  secretKey: string;
  publishableKey: string;
  /** `whsec_…`, the secret webhooks are signed with. */
  webhookSecret: string;
  setWebhookUrl(url: string | null): void;
  /** Makes a saved payment method decline (or succeed again) from now on — for dunning tests. */
  setCardBehaviour(paymentMethodId: string, behaviour: CardBehaviour): void;
  /** Signs and POSTs an arbitrary event (and stores it); resolves once delivered or given up on. */
  sendEvent(type: string, object: Record<string, unknown>): Promise<Stripe.Event>;
  /** Delivers events created together newest first and/or twice (Stripe guarantees neither order nor uniqueness). */
  setDeliveryChaos(chaos: Partial<DeliveryChaos>): void;
  /** Moves the server's clock forward (idempotency keys are forgotten 24 hours after their first use). */
  advanceClock(ms: number): void;
  /** The next `count` requests to `method path` fail with a 500 api_error before doing anything (and the 500 is stored). */
  failNext(method: string, path: string, count?: number): void;
  /** Holds every API request this long before it runs (to make concurrent requests overlap). */
  setLatency(ms: number): void;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** The PaymentIntents as they are now, oldest first. */
  paymentIntents(): Stripe.PaymentIntent[];
  /** Every event created, in order, with its delivery attempts. */
  events(): SentEvent[];
  /** Resolves when every event created so far has been delivered or given up on. */
  webhooksIdle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStripeTestServer(options: StripeTestServerOptions = {}): Promise<StripeTestServer> {
  const host = "127.0.0.1";
  const store = new ObjectStore();
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(24).toString("hex")}`;
  if (!webhookSecret.startsWith("whsec_")) throw new Error("webhookSecret must start with whsec_");
  const webhooks = new WebhookSender(
    store,
    options.webhookUrl ?? null,
    webhookSecret,
    { attempts: options.webhookRetry?.attempts ?? 4, delayMs: options.webhookRetry?.delayMs ?? 250 },
    options.enabledEvents,
  );
  const state: ServerState = { store, webhooks, behaviours: new Map(), detached: new Set(), clock: { offsetMs: 0 }, baseUrl: "" };
  const requests: RecordedRequest[] = [];
  const faults: Faults = { failNext: [], latencyMs: 0, revokedKeys: new Set() };
  const server = createServer(createRequestHandler(state, requests, faults));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  state.baseUrl = `http://${host}:${port}`;

  return {
    baseUrl: state.baseUrl,
    host,
    port,
    protocol: "http",
    secretKey: "sk_test_nexa_local_stripe_test_server",
    publishableKey: "pk_test_nexa_local_stripe_test_server",
    webhookSecret,
    setWebhookUrl(url) {
      webhooks.url = url;
    },
    setCardBehaviour(paymentMethodId, behaviour) {
      const pm = store.find(paymentMethodId);
      if (!pm || pm.object !== "payment_method") throw new Error(`No such payment method: ${paymentMethodId}`);
      state.behaviours.set(paymentMethodId, behaviour);
    },
    setDeliveryChaos(chaos) {
      webhooks.chaos = { ...webhooks.chaos, ...chaos };
    },
    advanceClock(ms) {
      state.clock.offsetMs += ms;
    },
    failNext(method, path, count = 1) {
      faults.failNext.push({ method, path, remaining: count });
    },
    setLatency(ms) {
      faults.latencyMs = ms;
    },
    async sendEvent(type, object) {
      const { event, delivery } = webhooks.emit(type, object);
      await delivery;
      return structuredClone(event) as unknown as Stripe.Event;
    },
    requests,
    paymentIntents: () => store.all("pi").map((pi) => structuredClone(pi) as unknown as Stripe.PaymentIntent),
    events: () => webhooks.sent.map((sent) => structuredClone(sent)),
    webhooksIdle: () => webhooks.idle(),
    async stop() {
      webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
