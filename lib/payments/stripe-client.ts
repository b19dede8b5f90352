import Stripe from "stripe";

/**
 * The Stripe SDK client, configured from the environment:
 * - STRIPE_SECRET_KEY: the account's secret key (sk_live_… / sk_test_…); without it payments are switched off.
 * - STRIPE_WEBHOOK_SECRET: the endpoint secret (whsec_…) that signs the events Stripe sends to /api/stripe/webhook.
 * - STRIPE_API_URL: optional API origin other than https://api.stripe.com — the local Stripe-compatible server the
 *   test suite (and an offline `npm run dev`) starts.
 */
export interface StripeSettings {
  secretKey: string;
  webhookSecret: string | null;
  apiUrl: string | null;
}

export function stripeSettings(env: NodeJS.ProcessEnv = process.env): StripeSettings | null {
  const secretKey = env.STRIPE_SECRET_KEY?.trim();
  if (!secretKey) return null;
  return { secretKey, webhookSecret: env.STRIPE_WEBHOOK_SECRET?.trim() || null, apiUrl: env.STRIPE_API_URL?.trim() || null };
}

export function createStripeClient(settings: StripeSettings): Stripe {
  const options: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: "Nexa Billing" } };
  if (settings.apiUrl) {
    const url = new URL(settings.apiUrl);
    options.host = url.hostname;
    options.port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    options.protocol = url.protocol === "https:" ? "https" : "http";
  }
  return new Stripe(settings.secretKey, options);
}

const globalForStripe = globalThis as unknown as { nexaStripe?: { key: string; client: Stripe } };

/** The process-wide Stripe client, or null when payments are not configured. */
export function stripe(): Stripe | null {
  const settings = stripeSettings();
  if (!settings) return null;
  const key = `${settings.secretKey}|${settings.apiUrl ?? ""}`;
  if (globalForStripe.nexaStripe?.key !== key) globalForStripe.nexaStripe = { key, client: createStripeClient(settings) };
  return globalForStripe.nexaStripe.client;
}

export function requireStripe(): Stripe {
  const client = stripe();
  if (!client) throw new PaymentsNotConfiguredError();
  return client;
}

export class PaymentsNotConfiguredError extends Error {
  readonly code = "payments_not_configured";
  constructor() {
    super("Card payments are not configured (STRIPE_SECRET_KEY is not set)");
  }
}
