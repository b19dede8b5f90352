// Runs the local Stripe test server beside `npm run dev`:
//   npx tsx tests/support/stripe-test-server/cli.ts
// Env: STRIPE_TEST_PORT (default 12111), STRIPE_TEST_WEBHOOK_URL, STRIPE_TEST_WEBHOOK_SECRET (whsec_…).
// Prints the settings as env lines for the app.
import { startStripeTestServer } from "./index";

const server = await startStripeTestServer({
  port: Number(process.env.STRIPE_TEST_PORT ?? 12111),
  webhookUrl: process.env.STRIPE_TEST_WEBHOOK_URL || undefined,
  webhookSecret: process.env.STRIPE_TEST_WEBHOOK_SECRET || undefined,
});

console.log(`# Local Stripe test server at ${server.baseUrl}; webhooks to ${process.env.STRIPE_TEST_WEBHOOK_URL || "(none: set STRIPE_TEST_WEBHOOK_URL)"}`);
console.log(`# SDK options: { host: "${server.host}", port: ${server.port}, protocol: "${server.protocol}" }`);
console.log(`STRIPE_API_URL=${server.baseUrl}`);
console.log(`STRIPE_SECRET_KEY=${server.secretKey}`);
console.log(`STRIPE_PUBLISHABLE_KEY=${server.publishableKey}`);
console.log(`STRIPE_WEBHOOK_SECRET=${server.webhookSecret}`);

let lastLogged = 0;
setInterval(() => {
  for (const sent of server.events().slice(lastLogged)) {
    if (!sent.settled) return;
    const last = sent.deliveries.at(-1);
    console.log(`event ${sent.event.type} ${sent.event.id}: ${last ? `${last.statusCode ?? last.error} after ${last.attempt} attempt(s)` : "not sent"}`);
    lastLogged += 1;
  }
}, 1000).unref();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
