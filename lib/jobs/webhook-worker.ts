import type { Db } from "@/lib/db/prisma";
import { attemptDelivery, claimDueDeliveries, webhookDeliverySettings } from "@/lib/webhooks/webhook-delivery";

/**
 * The in-app webhook delivery loop: every NEXA_WEBHOOK_POLL_MS (default 1 s) it claims due deliveries up to its free
 * slots (NEXA_WEBHOOK_CONCURRENCY, default 20) and sends them without waiting for each other, so a slow endpoint only
 * holds its own slots (at most NEXA_WEBHOOK_PER_ENDPOINT, default 5) for at most the request timeout. Each finished
 * request triggers an early poll, so the next event of the same ordering key goes out at once. Several app instances
 * can run it side by side (claims use FOR UPDATE SKIP LOCKED and leases).
 */
export interface WebhookWorker {
  stop(): Promise<void>;
}

const globalForWorker = globalThis as unknown as { nexaWebhookWorker?: WebhookWorker };

export function startWebhookWorker(client: Db): WebhookWorker {
  if (globalForWorker.nexaWebhookWorker) return globalForWorker.nexaWebhookWorker;
  const settings = webhookDeliverySettings();
  const pollMs = Number(process.env.NEXA_WEBHOOK_POLL_MS) || 1000;
  const concurrency = Number(process.env.NEXA_WEBHOOK_CONCURRENCY) || 20;
  const inFlight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let pollAgain = false;
  let stopped = false;

  const schedule = (delay: number) => {
    if (stopped) return;
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
      const claimed = await claimDueDeliveries(client, { now: new Date(), limit: concurrency - inFlight.size, settings });
      for (const delivery of claimed) {
        const attempt = attemptDelivery(client, delivery, settings)
          .catch((error) => console.error("Webhook delivery could not be recorded:", (error as Error).message))
          .finally(() => {
            inFlight.delete(attempt);
            schedule(0);
          });
        inFlight.add(attempt);
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
  const worker: WebhookWorker = {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(inFlight);
      globalForWorker.nexaWebhookWorker = undefined;
    },
  };
  globalForWorker.nexaWebhookWorker = worker;
  return worker;
}
