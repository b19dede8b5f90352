import type { Db } from "@/lib/db/prisma";
import { runDueDunning, type DunningRunSummary } from "@/lib/dunning/dunning-process";
import { DomainError } from "@/lib/errors";
import { chargeInvoice, resumeStalledCharges } from "./charge-invoice";
import { CARD_CHARGE_MAXIMUM_MINOR } from "./chargeability";
import { stripe } from "./stripe-client";

export interface CollectionSummary {
  charged: number;
  /** Attempts Stripe had not answered or settled, looked up again. */
  resumed: number;
  succeeded: number;
  failed: number;
  /** Off-session charges whose bank wants the customer to authenticate: the customer was e-mailed a pay link. */
  actionRequired: number;
  /** Invoices (or attempts, by payment id) that could not be handled this pass; the others went on regardless. */
  errors: { invoiceId?: string; paymentId?: string; error: string }[];
  dunning: DunningRunSummary | null;
}

/**
 * The collection pass, run by a job after every billing run and on a schedule: sends again the attempts Stripe never
 * answered, charges each finalised live invoice that has never been attempted and whose customer has a default card,
 * then carries out the due dunning steps. Shadow billing never qualifies (and chargeInvoice refuses it again on its own).
 */
export async function runCollections(client: Db, now = new Date(), options: { serviceId?: string } = {}): Promise<CollectionSummary> {
  const summary: CollectionSummary = { charged: 0, resumed: 0, succeeded: 0, failed: 0, actionRequired: 0, errors: [], dunning: null };
  if (!stripe()) return summary;
  const resumed = await resumeStalledCharges(client, now, options);
  summary.resumed = resumed.resumed;
  summary.errors.push(...resumed.errors);
  const skipped: string[] = [];
  for (;;) {
    const due = await client.$queryRaw<{ id: string }[]>`
      SELECT i.id FROM "Invoice" i
        JOIN "Service" s ON s.id = i."serviceId" AND s.mode = 'live'
       WHERE i.status = 'finalized' AND NOT i.shadow AND i."paymentStatus" = 'pending'
         AND i."totalCents" - i."creditsAppliedCents" - i."amountPaidCents" >= CASE WHEN i.currency = 'GBP' THEN 30 ELSE 50 END
         AND i."totalCents" - i."creditsAppliedCents" - i."amountPaidCents" <= ${CARD_CHARGE_MAXIMUM_MINOR}
         AND (${options.serviceId ?? null}::uuid IS NULL OR i."serviceId" = ${options.serviceId ?? null}::uuid)
         AND NOT EXISTS (SELECT 1 FROM "Payment" p WHERE p."invoiceId" = i.id)
         AND NOT (i.id = ANY(${skipped}::uuid[]))
         AND EXISTS (SELECT 1 FROM "PaymentMethod" m WHERE m."customerId" = i."customerId" AND m."isDefault")
         AND NOT EXISTS (SELECT 1 FROM "InvoiceLine" l JOIN "Subscription" sub ON sub.id = l."subscriptionId" WHERE l."invoiceId" = i.id AND sub.shadow)
       ORDER BY i."finalizedAt" LIMIT 100`;
    if (!due.length) break;
    for (const { id } of due) {
      summary.charged += 1;
      try {
        const result = await chargeInvoice(client, id, { trigger: "automatic", now });
        if (result.status === "succeeded") summary.succeeded += 1;
        if (result.status === "failed") summary.failed += 1;
        if (result.status === "action_required") summary.actionRequired += 1;
      } catch (error) {
        // One invoice's problem (a refusal, Stripe or the database failing for it) never stops the others.
        if (!(error instanceof DomainError)) console.error(`Collecting invoice ${id} failed:`, error);
        summary.errors.push({ invoiceId: id, error: (error as Error).message });
        skipped.push(id);
      }
    }
  }
  summary.dunning = await runDueDunning(client, now, options);
  return summary;
}
