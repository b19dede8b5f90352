import { requireEnv } from "./env";

/**
 * The local Stripe server's test controls (tests/support/stripe-test-server/test-controls.ts), for tests that run in
 * another process than the server: what Stripe does on its own time, made to happen now.
 */
async function control(path: string, body: Record<string, unknown> = {}): Promise<unknown> {
  const response = await fetch(`${requireEnv("STRIPE_API_URL")}/_test/${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`Stripe test control ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

export const stripeControls = {
  setCardBehaviour: (paymentMethodId: string, behaviour: string) => control(`payment_methods/${paymentMethodId}/behaviour`, { behaviour }),
  settlePaymentIntent: (id: string, outcome: "succeeded" | "failed") => control(`payment_intents/${id}/settle`, { outcome }),
  closeDispute: (id: string, outcome: "won" | "lost") => control(`disputes/${id}/close`, { outcome }),
  deliveryChaos: (chaos: { outOfOrder: boolean; twice: boolean }) => control("webhooks", chaos),
  webhooksIdle: () => control("webhooks/idle"),
  /** The next `count` requests to `method path` (with an idempotency key starting with the prefix, when given) fail with a stored 500. */
  failNext: (method: string, path: string, count = 1, idempotencyKeyPrefix?: string) => control("fail_next", { method, path, count, idempotencyKeyPrefix }),
};
