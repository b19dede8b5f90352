import Stripe from "stripe";

/**
 * The API version every request is made with, and the version the webhook endpoint must be created with (events are
 * rendered in the endpoint's version): the one the installed SDK's types describe. Change it only together with the
 * SDK, after reading Stripe's changelog.
 */
export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

/**
 * The Stripe SDK client, configured from the environment:
 * - STRIPE_SECRET_KEY: the account's secret key (sk_live_… / sk_test_…, or a restricted rk_… key with the permissions
 *   the README lists); without it payments are switched off.
 * - STRIPE_WEBHOOK_SECRET: the endpoint secret (whsec_…) that signs the events Stripe sends to /api/stripe/webhook.
 * - STRIPE_API_URL: optional API origin other than https://api.stripe.com — the local Stripe-compatible server the
 *   test suite (and an offline `npm run dev`) starts. Refused in production.
 * - NEXA_ENVIRONMENT=production: the deployment that charges real cards (see productionStripeProblems).
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
  const problems = productionStripeProblems();
  if (problems.length) throw new StripeMisconfiguredError(problems);
  // maxNetworkRetries: the SDK retries connection errors, 409 (idempotency key in use) and 5xx with the same key.
  const options: Stripe.StripeConfig = { apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: "Nexa Billing" } };
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

/**
 * Why this process must not talk to Stripe as production: a test key (sk_test_/rk_test_, which would "collect" nothing)
 * or an API origin override (which would send live card charges somewhere other than Stripe). Empty when fine or when
 * NEXA_ENVIRONMENT is not `production`.
 */
export function productionStripeProblems(env: Record<string, string | undefined> = process.env): string[] {
  if (env.NEXA_ENVIRONMENT !== "production") return [];
  const problems: string[] = [];
  const key = env.STRIPE_SECRET_KEY?.trim();
  if (!key) problems.push("STRIPE_SECRET_KEY is not set");
  else if (!/^(sk|rk)_live_/.test(key)) problems.push("STRIPE_SECRET_KEY is not a live key (sk_live_… or rk_live_…)");
  if (env.STRIPE_API_URL?.trim()) problems.push("STRIPE_API_URL must not be set in production (it redirects card charges away from Stripe)");
  if (!env.STRIPE_WEBHOOK_SECRET?.trim()) problems.push("STRIPE_WEBHOOK_SECRET is not set");
  return problems;
}

export class StripeMisconfiguredError extends Error {
  readonly code = "stripe_misconfigured";
  constructor(readonly problems: string[]) {
    super(`Refusing to run in production with this Stripe configuration: ${problems.join("; ")}`);
  }
}
