// Test controls, outside Stripe's API (`POST /_test/…`, JSON bodies): what Stripe does on its own time — settle a
// processing payment, close a dispute, forget idempotency keys after 24 hours, redeliver events out of order — made to
// happen when a test asks. Integration tests reach them through tests/support/stripe-controls.ts.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerState } from "./context";
import { readBody, sendJson, StripeApiError, errorBody } from "./http";
import { closeDispute, failRefund, settleProcessing } from "./payments";
import type { Faults } from "./router";

export async function handleTestControl(state: ServerState, faults: Faults, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const text = await readBody(req);
  const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  try {
    const match = (pattern: RegExp) => pattern.exec(path);
    let m: RegExpExecArray | null;
    if (path === "/_test/clock") {
      state.clock.offsetMs += Number(body.advanceMs ?? 0);
      return sendJson(res, 200, { offsetMs: state.clock.offsetMs });
    }
    if (path === "/_test/webhooks") {
      state.webhooks.chaos = { outOfOrder: Boolean(body.outOfOrder), twice: Boolean(body.twice) };
      return sendJson(res, 200, state.webhooks.chaos);
    }
    if (path === "/_test/webhooks/idle") {
      await state.webhooks.idle();
      return sendJson(res, 200, { idle: true });
    }
    if (path === "/_test/fail_next") {
      faults.failNext.push({ method: String(body.method ?? "POST"), path: String(body.path), remaining: Number(body.count ?? 1), idempotencyKeyPrefix: typeof body.idempotencyKeyPrefix === "string" ? body.idempotencyKeyPrefix : undefined });
      return sendJson(res, 200, { ok: true });
    }
    if (path === "/_test/latency") {
      faults.latencyMs = Number(body.ms ?? 0);
      return sendJson(res, 200, { latencyMs: faults.latencyMs });
    }
    if (path === "/_test/keys/revoke") {
      faults.revokedKeys.add(String(body.key));
      return sendJson(res, 200, { ok: true });
    }
    if ((m = match(/^\/_test\/payment_methods\/([^/]+)\/behaviour$/))) {
      state.store.get("pm", m[1]);
      state.behaviours.set(m[1], body.behaviour as never);
      return sendJson(res, 200, { ok: true });
    }
    if ((m = match(/^\/_test\/payment_intents\/([^/]+)\/settle$/))) {
      settleProcessing(state, state.store.get("pi", m[1]), body.outcome === "failed" ? "failed" : "succeeded");
      return sendJson(res, 200, state.store.render(state.store.get("pi", m[1])));
    }
    if ((m = match(/^\/_test\/disputes\/([^/]+)\/close$/))) {
      closeDispute(state, state.store.get("dp", m[1]), body.outcome === "won" ? "won" : "lost");
      return sendJson(res, 200, state.store.render(state.store.get("dp", m[1])));
    }
    if ((m = match(/^\/_test\/refunds\/([^/]+)\/fail$/))) {
      failRefund(state, state.store.get("re", m[1]));
      return sendJson(res, 200, state.store.render(state.store.get("re", m[1])));
    }
    return sendJson(res, 404, { error: { type: "invalid_request_error", message: `No test control at ${path}` } });
  } catch (e) {
    if (e instanceof StripeApiError) return sendJson(res, e.status, errorBody(e));
    throw e;
  }
}
