// Stripe's test 3D Secure page: where `next_action.redirect_to_url.url` sends a customer whose card needs
// authentication. "Complete authentication" charges the card, "Fail authentication" leaves the intent
// requires_payment_method; either way the webhooks are delivered before the customer is sent back to `return_url`.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerState } from "./context";
import { readBody, sendHtml } from "./http";
import { finishAuthentication } from "./payments";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en-CA"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}button{margin:1rem .5rem 0 0;padding:.6rem 1.2rem;font-size:1rem}</style>
</head><body><main>${body}</main></body></html>`;
}

export function showAuthenticationPage(state: ServerState, res: ServerResponse, id: string): void {
  const intent = state.store.find(id);
  if (!intent || intent.object !== "payment_intent" || intent.status !== "requires_action") {
    sendHtml(res, 404, page("Authentication unavailable", "<h1>Authentication unavailable</h1><p>This payment does not need authentication.</p>"));
    return;
  }
  const amount = `$${(Number(intent.amount) / 100).toFixed(2)} ${String(intent.currency).toUpperCase()}`;
  sendHtml(res, 200, page("3D Secure test payment", `<h1>3D Secure test payment</h1>
<p>Your bank asks you to confirm a payment of ${escapeHtml(amount)}.</p>
<form method="post" action="/authenticate/${escapeHtml(id)}">
<button type="submit" name="outcome" value="complete">Complete authentication</button>
<button type="submit" name="outcome" value="fail">Fail authentication</button>
</form>`));
}

export async function submitAuthenticationPage(state: ServerState, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const intent = state.store.find(id);
  const outcome = new URLSearchParams(await readBody(req)).get("outcome") === "complete" ? "complete" : "fail";
  if (!intent || intent.object !== "payment_intent") {
    sendHtml(res, 404, page("Authentication unavailable", "<h1>Authentication unavailable</h1>"));
    return;
  }
  const next = intent.next_action as { redirect_to_url?: { return_url?: string } } | null;
  const returnUrl = next?.redirect_to_url?.return_url;
  finishAuthentication(state, intent, outcome);
  await state.webhooks.idle();
  if (!returnUrl) {
    sendHtml(res, 200, page("Authentication finished", `<h1>Authentication ${outcome === "complete" ? "completed" : "failed"}</h1>`));
    return;
  }
  const back = new URL(returnUrl);
  back.searchParams.set("payment_intent", intent.id);
  back.searchParams.set("payment_intent_client_secret", String(intent.client_secret));
  back.searchParams.set("redirect_status", intent.status === "succeeded" ? "succeeded" : "failed");
  res.writeHead(303, { Location: back.toString(), "Content-Length": 0 });
  res.end();
}
