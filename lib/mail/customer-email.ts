import type { Db } from "@/lib/db/prisma";
import { deliverMail, type OutgoingMail } from "./mail-transport";

export interface CustomerEmail extends OutgoingMail {
  customerId: string | null;
  kind: string;
  relatedId?: string | null;
}

/**
 * A customer known only to services still in shadow mode (a dual-run import) has never heard from us and must not
 * start now: the old system still bills them.
 */
export async function isDualRunOnly(client: Db, customerId: string): Promise<boolean> {
  const live = await client.accountLink.count({ where: { customerId, deletedAt: null, service: { mode: "live" } } });
  return live === 0;
}

/**
 * Sends one e-mail and logs it (EmailMessage), whether it went out, failed or was withheld: finance can see who was
 * told what and when. A failed send never fails the billing step that caused it. Dual-run customers get nothing.
 */
export async function sendCustomerEmail(client: Db, email: CustomerEmail): Promise<{ status: string; error: string | null }> {
  let status = "sent";
  let error: string | null = null;
  let providerMessageId: string | null = null;
  if (email.customerId && (await isDualRunOnly(client, email.customerId))) {
    status = "withheld_dual_run";
  } else {
    try {
      const delivery = await deliverMail(email);
      status = delivery.status;
      providerMessageId = delivery.messageId;
    } catch (e) {
      status = "failed";
      error = (e as Error).message;
    }
  }
  await client.emailMessage.create({
    data: { customerId: email.customerId, toAddress: email.to, subject: email.subject, kind: email.kind, relatedId: email.relatedId ?? null, status, error, providerMessageId },
  });
  return { status, error };
}
