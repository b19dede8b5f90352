import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeClient, productionStripeProblems, STRIPE_API_VERSION, StripeMisconfiguredError } from "@/lib/payments/stripe-client";
import { classifyStripeError } from "@/lib/payments/stripe-errors";
import { startStripeTestServer, type StripeTestServer } from "../support/stripe-test-server";

let server: StripeTestServer;
beforeAll(async () => {
  server = await startStripeTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("Stripe configuration", () => {
  it("sends every request with the pinned API version", async () => {
    const stripe = createStripeClient({ secretKey: server.secretKey, webhookSecret: null, apiUrl: server.baseUrl });
    const customer = await stripe.customers.create({ name: "Versioned" });
    expect(customer.lastResponse.headers["stripe-version"]).toBe(STRIPE_API_VERSION);
    expect(STRIPE_API_VERSION).toBe("2026-10-28.endive");
  });

  it("refuses production with a test key, an API URL override or no webhook secret", () => {
    const live = { NEXA_ENVIRONMENT: "production", STRIPE_SECRET_KEY: "rk_live_abc", STRIPE_WEBHOOK_SECRET: "whsec_x" };
    expect(productionStripeProblems(live)).toEqual([]);
    expect(productionStripeProblems({ ...live, STRIPE_SECRET_KEY: "sk_test_abc" })).toEqual([expect.stringContaining("not a live key")]);
    expect(productionStripeProblems({ ...live, STRIPE_API_URL: "http://127.0.0.1:12111" })).toEqual([expect.stringContaining("STRIPE_API_URL")]);
    expect(productionStripeProblems({ ...live, STRIPE_WEBHOOK_SECRET: "" })).toEqual([expect.stringContaining("STRIPE_WEBHOOK_SECRET")]);
    // Anything goes outside production (tests, development).
    expect(productionStripeProblems({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_API_URL: "http://127.0.0.1:1" })).toEqual([]);

    const saved = { ...process.env };
    Object.assign(process.env, { NEXA_ENVIRONMENT: "production", STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_x" });
    try {
      expect(() => createStripeClient({ secretKey: "sk_test_abc", webhookSecret: "whsec_x", apiUrl: null })).toThrow(StripeMisconfiguredError);
    } finally {
      for (const name of ["NEXA_ENVIRONMENT", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it("classifies Stripe's answers: authentication_required is not a decline, do_not_try_again is hard, 401/403/idempotency errors are configuration", async () => {
    const stripe = createStripeClient({ secretKey: server.secretKey, webhookSecret: null, apiUrl: server.baseUrl });
    const customer = await stripe.customers.create({ name: "Classified" });
    const charge = (token: string) =>
      stripe.paymentIntents.create({ amount: 1000, currency: "cad", customer: customer.id, payment_method: token, confirm: true, off_session: true, allowed_payment_method_types: ["card"] }).catch((e: unknown) => e);
    expect(classifyStripeError(await charge("pm_card_authenticationRequired"))).toMatchObject({ kind: "authentication_required" });
    expect(classifyStripeError(await charge("pm_card_chargeDeclinedLostCard"))).toMatchObject({ kind: "declined", code: "lost_card", adviceCode: "do_not_try_again", hard: true });
    expect(classifyStripeError(await charge("pm_card_chargeDeclinedInsufficientFunds"))).toMatchObject({ kind: "declined", hard: false, adviceCode: "try_again_later" });
    const readOnly = createStripeClient({ secretKey: "rk_test_readonly_x", webhookSecret: null, apiUrl: server.baseUrl });
    expect(classifyStripeError(await readOnly.customers.create({}).catch((e: unknown) => e))).toMatchObject({ kind: "configuration", code: "stripe_permission_denied", status: 403 });
    await stripe.customers.create({ name: "A" }, { idempotencyKey: "classify-key" });
    expect(classifyStripeError(await stripe.customers.create({ name: "B" }, { idempotencyKey: "classify-key" }).catch((e: unknown) => e))).toMatchObject({ kind: "configuration", code: "idempotency_error" });
    expect(classifyStripeError(await stripe.paymentIntents.create({ amount: 10, currency: "cad", allowed_payment_method_types: ["card"] }).catch((e: unknown) => e))).toMatchObject({ kind: "amount_out_of_range" });
  });
});
