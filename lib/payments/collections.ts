import type { Db } from "@/lib/db/prisma";
import { runDueDunning, type DunningRunSummary } from "@/lib/dunning/dunning-process";
import { DomainError } from "@/lib/errors";
import { chargeInvoice, resumeStalledCharges } from "./charge-invoice";
import { stripe } from "./stripe-client";

export interface CollectionSummary {
  charged: number;
  /** Attempts Stripe had not answered, sent again. */
  resumed: number;
  succeeded: number;
  failed: number;
  errors: { invoiceId: string; error: string }[];
  dunning: DunningRunSummary | null;
}

/**
 * The collection pass, run by a job after every billing run and on a schedule: sends again the attempts Stripe never
 * answered, charges each finalised live invoice that has never been attempted and whose customer has a default card,
 * then carries out the due dunning steps. Shadow billing never qualifies (and chargeInvoice refuses it again on its own).
 */
export async function runCollections(client: Db, now = new Date(), options: { serviceId?: string } = {}): Promise<CollectionSummary> {
  const summary: CollectionSummary = { charged: 0, resumed: 0, succeeded: 0, failed: 0, errors: [], dunning: null };
  if (!stripe()) return summary;
  summary.resumed = await resumeStalledCharges(client, now, options);
  const skipped: string[] = [];
  for (;;) {
    const due = await client.$queryRaw<{ id: string }[]>`
      SELECT i.id FROM "Invoice" i
        JOIN "Service" s ON s.id = i."serviceId" AND s.mode = 'live'
       WHERE i.status = 'finalized' AND NOT i.shadow AND i."paymentStatus" = 'pending'
         AND i."totalCents" - i."creditsAppliedCents" - i."amountPaidCents" > 0
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
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        summary.errors.push({ invoiceId: id, error: error.message });
        skipped.push(id);
      }
    }
  }
  summary.dunning = await runDueDunning(client, now, options);
  return summary;
}
