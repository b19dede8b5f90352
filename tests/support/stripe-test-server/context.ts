import type { CardBehaviour } from "./cards";
import type { Params } from "./http";
import type { ObjectStore } from "./store";
import type { WebhookSender } from "./webhooks";

/** What every endpoint works on. */
export interface ServerState {
  store: ObjectStore;
  webhooks: WebhookSender;
  /** How charges on each saved payment method end (test cards' own behaviour, or `setCardBehaviour`). */
  behaviours: Map<string, CardBehaviour>;
  /** Payment methods detached from their customer: Stripe never lets them be used again. */
  detached: Set<string>;
  /** The server's clock (Date.now() plus what tests advanced it by): idempotency keys expire after 24 hours of it. */
  clock: { offsetMs: number };
  baseUrl: string;
}

export interface ApiRequest {
  params: Params;
  /** The `:id` segments of the route, in order. */
  ids: string[];
  expand: string[];
  /** Put on the events the request causes, as Stripe does. */
  origin: { id: string; idempotency_key: string | null };
}

export type Handler = (state: ServerState, request: ApiRequest) => unknown;
