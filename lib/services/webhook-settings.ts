import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { entityNotFound } from "@/lib/errors";
import { hostRefusal, isLoopbackHost, loopbackWebhooksAllowed } from "@/lib/net/outbound-address";
import { newWebhookSecret } from "./webhook-secrets";

export const WEBHOOK_URL_MAX_LENGTH = 2000;

/**
 * Why a webhook URL is refused, as a validation code, or null when it is acceptable: an absolute https URL without
 * credentials, whose host is not a loopback, private, link-local, multicast or unspecified address however written
 * (`address_not_allowed`). Plain http and loopback only under the development setting NEXA_ALLOW_LOOPBACK_WEBHOOKS=1.
 * Host names are checked again after DNS resolution at every delivery (lib/webhooks/webhook-http.ts).
 */
export function webhookUrlProblem(text: string): "value_is_invalid" | "https_required" | "value_is_too_long" | "address_not_allowed" | null {
  if (text.length > WEBHOOK_URL_MAX_LENGTH) return "value_is_too_long";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "value_is_invalid";
  }
  if (url.username || url.password || !url.hostname) return "value_is_invalid";
  if (url.protocol !== "https:" && url.protocol !== "http:") return "value_is_invalid";
  if (hostRefusal(url)) return "address_not_allowed";
  if (url.protocol === "http:" && !(loopbackWebhooksAllowed() && isLoopbackHost(url))) return "https_required";
  return null;
}

/**
 * Replaces the webhook signing secret and returns the new one, for the caller to show once. Deliveries are signed with
 * the new secret from now on, so the app must be given it promptly.
 */
export async function rotateWebhookSecret(client: Db, serviceId: string, actor: AuditActor): Promise<string> {
  const { secret, stored } = newWebhookSecret();
  await client.$transaction(async (tx) => {
    const { count } = await tx.service.updateMany({ where: { id: serviceId }, data: { webhookSigningSecret: stored } });
    if (count === 0) throw entityNotFound("service");
    // The secret itself never goes into the audit log.
    await recordAudit(tx, actor, { action: "webhook.secret_rotated", entityType: "Service", entityId: serviceId });
  });
  return secret;
}

/** The secret as staff see it once it has been handed over: its scheme prefix and last four characters. */
export function maskSecret(secret: string): string {
  const scheme = /^[a-z]+_/.exec(secret)?.[0] ?? "";
  return `${scheme}${"•".repeat(12)}${secret.slice(-4)}`;
}
