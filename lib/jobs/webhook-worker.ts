import type { Db } from "@/lib/db/prisma";
import { attemptDelivery, claimDueDeliveries, webhookDeliverySettings } from "@/lib/webhooks/webhook-delivery";

const globalForWorker = globalThis as unknown as { nexaWebhookWorker?: boolean };

/**
 * The in-app webhook delivery loop: every NEXA_WEBHOOK_POLL_MS (default 1 s) it claims due deliveries up to its free
 * slots (NEXA_WEBHOOK_CONCURRENCY, default 20) and sends them without waiting for each other, so a slow endpoint only
 * holds its own slots (at most NEXA_WEBHOOK_PER_ENDPOINT, default 5) for at most the request timeout. Each finished
 * request triggers an early poll, so the next event of the same ordering key goes out at once. Several app instances
 * can run it side by side (claims use FOR UPDATE SKIP LOCKED and leases). Started once per process (also across
 * Next.js dev reloads).
 */
export function startWebhookWorker(client: Db): void {
  if (globalForWorker.nexaWebhookWorker) return;
  globalForWorker.nexaWebhookWorker = true;
  const settings = webhookDeliverySettings();
  const pollMs = Number(process.env.NEXA_WEBHOOK_POLL_MS) || 1000;
  const concurrency = Number(process.env.NEXA_WEBHOOK_CONCURRENCY) || 20;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let pollAgain = false;

  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  };

  async function poll() {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = true;
    try {
      const claimed = await claimDueDeliveries(client, { now: new Date(), limit: concurrency - inFlight, settings });
      for (const delivery of claimed) {
        inFlight += 1;
        attemptDelivery(client, delivery, settings)
          .catch((error) => console.error("Webhook delivery could not be recorded:", (error as Error).message))
          .finally(() => {
            inFlight -= 1;
            schedule(0);
          });
      }
    } catch (error) {
      console.error("Webhook worker:", (error as Error).message);
    } finally {
      polling = false;
      schedule(pollAgain ? 0 : pollMs);
      pollAgain = false;
    }
  }

  schedule(0);
}
