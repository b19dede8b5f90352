import type { Db } from "@/lib/db/prisma";
import { deliverMail } from "@/lib/mail/mail-transport";
import { publicBaseUrl } from "@/lib/portal/access-token";

export type PaymentAlertKind = "stripe_configuration" | "dispute_opened" | "dispute_closed" | "refund_failed";

/**
 * Tells finance staff about something in payments only a person can fix (a revoked or restricted Stripe key, a
 * programming error Stripe refused, a chargeback, a refund the bank sent back): an audit-log entry the console shows,
 * and an e-mail to every active admin and finance user. A failed e-mail never fails the step that raised the alert.
 */
export async function alertStaff(client: Db, alert: { kind: PaymentAlertKind; subject: string; text: string; entityType: string; entityId: string; data?: Record<string, unknown> }): Promise<void> {
  await client.auditLog.create({
    data: { actorType: "system", action: `payments.alert.${alert.kind}`, entityType: alert.entityType, entityId: alert.entityId, data: { subject: alert.subject, ...alert.data } },
  });
  const staff = await client.staffUser.findMany({ where: { disabledAt: null, role: { in: ["admin", "finance"] } }, select: { email: true } });
  for (const { email } of staff) {
    try {
      await deliverMail({ to: email, subject: `[Nexa Billing] ${alert.subject}`, text: `${alert.text}\n\nConsole: ${publicBaseUrl()}/console` });
    } catch (error) {
      console.error(`Staff alert to ${email} not sent:`, (error as Error).message);
    }
  }
}
