// Next.js calls register() once when a server process starts: the billing jobs and the webhook delivery worker start
// with the app.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // A production deployment with a test key or a Stripe URL override must not start at all.
  const { productionStripeProblems, StripeMisconfiguredError } = await import("./lib/payments/stripe-client");
  const problems = productionStripeProblems();
  if (problems.length) throw new StripeMisconfiguredError(problems);
  if (process.env.NEXA_JOBS === "off" || !process.env.DATABASE_URL) return;
  const { startBillingJobs } = await import("./lib/jobs/billing-jobs");
  const { startWebhookWorker } = await import("./lib/jobs/webhook-worker");
  const { db } = await import("./lib/db/prisma");
  const { sealStoredWebhookSecrets } = await import("./lib/services/webhook-secrets");
  const { pruneRateLimits } = await import("./lib/security/rate-limit");
  const { sqlPool } = await import("./lib/db/sql");
  // Secrets written before they were encrypted are sealed on the first start of this version (idempotent).
  await sealStoredWebhookSecrets(db()).catch((error) => console.error("Sealing webhook secrets failed:", (error as Error).message));
  setInterval(() => void pruneRateLimits(sqlPool()).catch(() => {}), 3600_000).unref();
  startWebhookWorker(db());
  try {
    await startBillingJobs(process.env.DATABASE_URL, db());
  } catch (error) {
    // The app still serves (and reports the database in /health) if the queue cannot start; the next start retries.
    console.error("Billing jobs did not start:", (error as Error).message);
  }
}
