import type { Db } from "@/lib/db/prisma";
import { isRetryableConflict, isUniqueViolation } from "@/lib/errors";
import { billGroup, type BillingRunSummary } from "./billing-run";
import { quarantineFailures } from "./billing-quarantine";

/** Bound on the boundaries one subscription can be behind when it is closed at once (ten years of weekly periods). */
const MAX_BOUNDARIES = 530;

/**
 * Runs the period close now for the group of one subscription that has just been terminated or upgraded (Lago bills
 * the ended period at once: reason subscription_terminating / upgrading), instead of waiting for the scheduled close.
 * It is the same close (billGroup): keyed by the group's boundary and moving `nextBillingAt` on, so running it twice, or
 * alongside the scheduled close, bills nothing twice. Every boundary already due is billed, oldest first.
 */
export async function closeSubscriptionNow(client: Db, subscriptionId: string, now = new Date()): Promise<Omit<BillingRunSummary, "failures"> & { failures: number }> {
  const summary = { subscriptionsBilled: 0, invoicesCreated: 0, creditNotesIssued: 0, refundCreditNoteIds: [] as string[], failures: 0 };
  for (let i = 0; i < MAX_BOUNDARIES; i++) {
    const sub = await client.subscription.findUnique({
      where: { id: subscriptionId },
      select: { customerId: true, serviceId: true, nextBillingAt: true, shadow: true, status: true },
    });
    if (!sub?.nextBillingAt || sub.nextBillingAt > now || (sub.status !== "active" && sub.status !== "terminated")) break;
    const group = { customerId: sub.customerId, serviceId: sub.serviceId, boundary: sub.nextBillingAt, shadow: sub.shadow };
    let result: Awaited<ReturnType<typeof billGroup>>;
    try {
      result = await billGroup(client, group, now);
    } catch (error) {
      // Another runner is billing (or has just billed) this boundary: it owns it.
      if (isUniqueViolation(error) || isRetryableConflict(error)) break;
      throw error;
    }
    summary.subscriptionsBilled += result.billed;
    summary.invoicesCreated += result.invoices;
    summary.creditNotesIssued += result.creditNotes;
    summary.refundCreditNoteIds.push(...result.refundCreditNoteIds);
    if (result.failures.length) {
      // Set aside with its reason, as the scheduled close does; staff release it once the data is fixed.
      await quarantineFailures(client, result.failures, null, now);
      summary.failures += result.failures.length;
      break;
    }
    // Rows locked by a concurrent runner (SKIP LOCKED): that runner bills them.
    if (result.billed === 0) break;
  }
  return summary;
}
