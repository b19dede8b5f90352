import type { Db } from "@/lib/db/prisma";
import { openSecret, sealSecret } from "@/lib/crypto/secret-box";
import { generateWebhookSecret } from "./api-keys";

/**
 * Webhook signing secrets are stored sealed (AES-256-GCM, lib/crypto/secret-box.ts, like a NexaCloud source's DSN): a
 * database dump does not let anyone forge our webhooks. Values written before encryption was introduced are plaintext
 * until `sealStoredWebhookSecrets` runs (at every app start and `npm run db:migrate`); they are still read meanwhile.
 */
const SEALED = /^v1:/;

export function sealWebhookSecret(secret: string): string {
  return sealSecret(secret);
}

/** The plaintext secret of a stored value (sealed, or a not-yet-sealed legacy plaintext). */
export function openWebhookSecret(stored: string): string {
  return SEALED.test(stored) ? openSecret(stored) : stored;
}

/** A fresh secret: the plaintext (to show once) and the sealed value to store. */
export function newWebhookSecret(): { secret: string; stored: string } {
  const secret = generateWebhookSecret();
  return { secret, stored: sealWebhookSecret(secret) };
}

/** Seals every plaintext secret still stored; returns how many. Safe to run concurrently and again. */
export async function sealStoredWebhookSecrets(client: Db): Promise<number> {
  const plain = await client.service.findMany({ where: { webhookSigningSecret: { not: null }, NOT: { webhookSigningSecret: { startsWith: "v1:" } } }, select: { id: true, webhookSigningSecret: true } });
  let sealed = 0;
  for (const service of plain) {
    const { count } = await client.service.updateMany({
      where: { id: service.id, webhookSigningSecret: service.webhookSigningSecret },
      data: { webhookSigningSecret: sealWebhookSecret(service.webhookSigningSecret!) },
    });
    sealed += count;
  }
  return sealed;
}
