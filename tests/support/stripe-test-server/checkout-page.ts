// The hosted Checkout page (setup mode): a small accessible card form that saves the card, completes the session,
// delivers the webhooks and then sends the customer back to `success_url`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkCardNumber, paymentMethodFromCard } from "./cards";
import type { ServerState } from "./context";
import { readBody, sendHtml } from "./http";
import { succeedSetupIntent } from "./setup";
import type { StripeObject } from "./store";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

interface FormState {
  values: { card_number: string; expiry: string; cvc: string };
  errors: Partial<Record<"card_number" | "expiry" | "cvc", string>>;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en-CA">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font-size: 1rem; }
  input[aria-invalid="true"] { border: 2px solid #b00020; }
  .error { color: #b00020; margin: .25rem 0 0; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; }
  .note { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function field(name: keyof FormState["values"], label: string, form: FormState, attributes: string): string {
  const error = form.errors[name];
  const errorId = `${name}-error`;
  return `<label for="${name}">${escapeHtml(label)}</label>
<input id="${name}" name="${name}" value="${escapeHtml(form.values[name])}" ${attributes}${error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ""}>
${error ? `<p class="error" id="${errorId}">${escapeHtml(error)}</p>` : ""}`;
}

function renderForm(state: ServerState, session: StripeObject, form: FormState): string {
  const customer = session.customer ? state.store.find(String(session.customer)) : undefined;
  const who = customer ? String(customer.name ?? customer.email ?? customer.id) : null;
  const errorCount = Object.keys(form.errors).length;
  return layout(
    "Save a card",
    `<h1>Save a card</h1>
${who ? `<p>For ${escapeHtml(who)}. Your card will be charged for future invoices.</p>` : ""}
${errorCount > 0 ? `<div role="alert"><p>Please correct the ${errorCount === 1 ? "error" : "errors"} below.</p></div>` : ""}
<form method="post" action="/checkout/${escapeHtml(session.id)}" novalidate>
${field("card_number", "Card number", form, 'inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" required')}
${field("expiry", "Expiry (MM / YY)", form, 'inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY" required')}
${field("cvc", "CVC", form, 'inputmode="numeric" autocomplete="cc-csc" placeholder="123" required')}
<button type="submit">Save card</button>
</form>
${session.cancel_url ? `<p><a href="${escapeHtml(String(session.cancel_url))}">Cancel</a></p>` : ""}
<p class="note">Local Stripe test server. Test cards: 4242 4242 4242 4242 (succeeds), 4000 0000 0000 0341 (saves, payments decline), 4000 0000 0000 9995 (insufficient funds).</p>`,
  );
}

function unavailable(res: ServerResponse, status: number, message: string): void {
  sendHtml(res, status, layout("Checkout unavailable", `<h1>Checkout unavailable</h1><p>${escapeHtml(message)}</p>`));
}

function openSession(state: ServerState, res: ServerResponse, id: string): StripeObject | null {
  const session = state.store.find(id);
  if (!session || session.object !== "checkout.session") {
    unavailable(res, 404, "This checkout page does not exist.");
    return null;
  }
  if (session.status !== "open") {
    unavailable(res, 410, `This checkout session is ${session.status === "complete" ? "already complete" : "expired"}.`);
    return null;
  }
  return session;
}

export function showCheckoutPage(state: ServerState, res: ServerResponse, id: string): void {
  const session = openSession(state, res, id);
  if (session) sendHtml(res, 200, renderForm(state, session, { values: { card_number: "", expiry: "", cvc: "" }, errors: {} }));
}

function parseExpiry(text: string): { month: number; year: number } | string {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return "Enter the expiry date as MM / YY.";
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return "Your card's expiration month is invalid.";
  const now = new Date();
  if (year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)) {
    return "Your card's expiration date is in the past.";
  }
  return { month, year };
}

export async function submitCheckoutPage(state: ServerState, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const session = openSession(state, res, id);
  if (!session) return;
  const body = new URLSearchParams(await readBody(req));
  const form: FormState = {
    values: { card_number: body.get("card_number") ?? "", expiry: body.get("expiry") ?? "", cvc: body.get("cvc") ?? "" },
    errors: {},
  };
  const card = checkCardNumber(form.values.card_number);
  if (!card.ok) form.errors.card_number = card.message;
  const expiry = parseExpiry(form.values.expiry);
  if (typeof expiry === "string") form.errors.expiry = expiry;
  const cvcLength = card.ok && card.card.brand === "amex" ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(form.values.cvc.trim())) form.errors.cvc = "Your card's security code is incomplete.";
  if (!card.ok || typeof expiry === "string" || form.errors.cvc) {
    sendHtml(res, 400, renderForm(state, session, form));
    return;
  }
  const pm = state.store.insert(paymentMethodFromCard(card.card, expiry.month, expiry.year));
  state.behaviours.set(pm.id, card.card.behaviour);
  const setupIntent = state.store.get("seti", String(session.setup_intent));
  succeedSetupIntent(state, setupIntent, pm);
  const customer = session.customer ? state.store.find(String(session.customer)) : undefined;
  session.status = "complete";
  session.url = null;
  session.customer_details = {
    address: null,
    email: (customer?.email as string | null) ?? session.customer_email ?? null,
    name: (customer?.name as string | null) ?? null,
    phone: null,
    tax_exempt: "none",
    tax_ids: [],
  };
  // The events are queued in order, so awaiting the last one awaits both; the app has handled them before redirecting.
  await state.webhooks.emit("checkout.session.completed", session).delivery;
  const location = String(session.success_url).replaceAll("{CHECKOUT_SESSION_ID}", session.id);
  res.writeHead(303, { Location: location, "Content-Length": 0 });
  res.end();
}
