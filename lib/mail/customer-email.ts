import type { Db } from "@/lib/db/prisma";
import { deliverMail, type OutgoingMail } from "./mail-transport";

export interface CustomerEmail extends OutgoingMail {
  customerId: string | null;
  kind: string;
  relatedId?: string | null;
}

/**
 * Sends one e-mail and logs it (EmailMessage), whether it went out or failed: finance can see who was told what and
 * when. A failed send never fails the billing step that caused it.
 */
export async function sendCustomerEmail(client: Db, email: CustomerEmail): Promise<{ status: string }> {
  let status = "sent";
  let error: string | null = null;
  let providerMessageId: string | null = null;
  try {
    const delivery = await deliverMail(email);
    status = delivery.status;
    providerMessageId = delivery.messageId;
  } catch (e) {
    status = "failed";
    error = (e as Error).message;
  }
  await client.emailMessage.create({
    data: { customerId: email.customerId, toAddress: email.to, subject: email.subject, kind: email.kind, relatedId: email.relatedId ?? null, status, error, providerMessageId },
  });
  return { status };
}
