import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { COUNTED_REFUND_STATUSES, recordRefunds } from "./refunds";
import { requireStripe, stripe } from "./stripe-client";

export type CreditNoteRefundOutcome =
  | { status: "refunded"; refundedCents: bigint }
  /** Stripe accepted the refunds but has not finished them (pending / requires_action): refund.* events settle them. */
  | { status: "pending"; refundedCents: bigint }
  /** Nothing was paid by card on the invoice (or payments are off): the refund is paid out by other means. */
  | { status: "not_card_paid" }
  | { status: "failed"; message: string };

/**
 * Pays a refund credit note back to the card(s) that paid its invoice, newest payment first, never more than each
 * payment has left. Idempotency keys are per credit note and payment, so running it again refunds nothing twice; the
 * refunds are recorded at once with Stripe's status (and again, idempotently, from Stripe's refund and charge events —
 * a refund that fails later is no longer counted, and staff are told).
 */
export async function refundCreditNoteToCard(client: Db, creditNoteId: string): Promise<CreditNoteRefundOutcome> {
  const note = await client.creditNote.findUniqueOrThrow({ where: { id: creditNoteId } });
  if (note.kind !== "refund" || note.status !== "issued") return { status: "not_card_paid" };
  const payments = await client.payment.findMany({
    where: { invoiceId: note.invoiceId, status: { in: ["succeeded", "refunded"] }, providerPaymentId: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (!payments.length || !stripe()) return { status: "not_card_paid" };
  const already = await client.refund.aggregate({ where: { creditNoteId, status: { in: COUNTED_REFUND_STATUSES } }, _sum: { amountCents: true } });
  let remaining = note.totalCents - (already._sum.amountCents ?? BigInt(0));
  let refunded = BigInt(0);
  let settled = true;
  try {
    for (const payment of payments) {
      if (remaining <= BigInt(0)) break;
      const refundable = payment.amountCents - payment.refundedCents;
      if (refundable <= BigInt(0)) continue;
      const amount = refundable < remaining ? refundable : remaining;
      const refund = await requireStripe().refunds.create(
        { payment_intent: payment.providerPaymentId!, amount: Number(amount), reason: "requested_by_customer", metadata: { nexa_credit_note_id: note.id } },
        { idempotencyKey: `nexa-credit-note-${note.id}-${payment.id}` },
      );
      // Stored with Stripe's own status (a refund can be pending, or fail later); the webhook may have been first.
      await recordRefunds(client, payment.providerPaymentId!, [refund], { creditNoteId: note.id, reason: note.reason });
      if (refund.status === "failed" || refund.status === "canceled") throw new Error(`Stripe could not refund ${refund.id} (${refund.failure_reason ?? refund.status})`);
      if (refund.status !== "succeeded") settled = false;
      remaining -= amount;
      refunded += amount;
    }
  } catch (error) {
    return { status: "failed", message: (error as Error).message };
  }
  return { status: settled ? "refunded" : "pending", refundedCents: refunded };
}

/**
 * Refund credit notes issued before `issuedBefore` that nothing was ever sent to Stripe for, on invoices a card paid
 * with something left to refund: the process died between issuing the note and paying it back (the refund job is
 * queued, and the API and console call Stripe, only after the note's transaction commits). The note itself is the
 * outbox; `sweepUnsentCardRefunds` pays them back.
 */
export async function unsentCardRefunds(client: Db, issuedBefore: Date, scope: { serviceId?: string } = {}, limit = 200): Promise<string[]> {
  const rows = await client.$queryRaw<{ id: string }[]>`
    SELECT cn.id FROM "CreditNote" cn
     WHERE cn.kind = 'refund' AND cn.status = 'issued' AND cn."createdAt" < ${issuedBefore}
       AND (${scope.serviceId ?? null}::uuid IS NULL OR EXISTS (SELECT 1 FROM "Invoice" i WHERE i.id = cn."invoiceId" AND i."serviceId" = ${scope.serviceId ?? null}::uuid))
       AND NOT EXISTS (SELECT 1 FROM "Refund" r WHERE r."creditNoteId" = cn.id)
       AND EXISTS (SELECT 1 FROM "Payment" p
                    WHERE p."invoiceId" = cn."invoiceId" AND p.status IN ('succeeded', 'refunded')
                      AND p."providerPaymentId" IS NOT NULL AND p."amountCents" > p."refundedCents")
     ORDER BY cn."createdAt", cn.id
     LIMIT ${limit}`;
  return rows.map((r) => r.id);
}

/**
 * Pays back refund credit notes whose refund was never sent (see unsentCardRefunds). Notes younger than `graceMs` are
 * left to the refund job queued for them. Safe beside that job: Stripe idempotency keys per note and payment.
 */
export async function sweepUnsentCardRefunds(
  client: Db,
  now = new Date(),
  options: { graceMs?: number; serviceId?: string } = {},
): Promise<{ refunded: string[]; failed: { creditNoteId: string; message: string }[] }> {
  const refunded: string[] = [];
  const failed: { creditNoteId: string; message: string }[] = [];
  const issuedBefore = new Date(now.getTime() - (options.graceMs ?? 5 * 60_000));
  for (const creditNoteId of await unsentCardRefunds(client, issuedBefore, { serviceId: options.serviceId })) {
    const outcome = await refundCreditNoteToCard(client, creditNoteId);
    if (outcome.status === "failed") failed.push({ creditNoteId, message: outcome.message });
    else refunded.push(creditNoteId);
  }
  return { refunded, failed };
}

/** Lago's refund_status of a refund credit note (credit notes have none). */
export type CreditNoteRefundStatus = "pending" | "succeeded" | "failed";

/**
 * Lago's refund_status of refund credit notes, from the refunds recorded against them: succeeded once refunds that
 * succeeded cover the note, failed when every attempt failed, pending otherwise (nothing sent yet, or on its way).
 * The one place the status is derived: every reader (API, download, PDF, webhook) goes through withRefundStatus.
 */
async function creditNoteRefundStatuses(client: Db | Prisma.TransactionClient, notes: { id: string; kind: string; totalCents: bigint }[]): Promise<Map<string, CreditNoteRefundStatus>> {
  const refundNotes = notes.filter((n) => n.kind === "refund");
  if (!refundNotes.length) return new Map();
  const refunds = await client.refund.findMany({ where: { creditNoteId: { in: refundNotes.map((n) => n.id) } }, select: { creditNoteId: true, amountCents: true, status: true } });
  return new Map(refundNotes.map((note) => {
    const own = refunds.filter((r) => r.creditNoteId === note.id);
    const succeeded = own.filter((r) => r.status === "succeeded").reduce((sum, r) => sum + r.amountCents, BigInt(0));
    if (own.length && succeeded >= note.totalCents) return [note.id, "succeeded" as const];
    if (own.length && own.every((r) => r.status === "failed" || r.status === "canceled")) return [note.id, "failed" as const];
    return [note.id, "pending" as const];
  }));
}

/** Credit notes as every reader shows them: each with its refund status (null for a credit). */
export async function withRefundStatus<T extends { id: string; kind: string; totalCents: bigint }>(client: Db | Prisma.TransactionClient, notes: T[]): Promise<(T & { refundStatus: CreditNoteRefundStatus | null })[]> {
  const statuses = await creditNoteRefundStatuses(client, notes);
  return notes.map((note) => ({ ...note, refundStatus: statuses.get(note.id) ?? null }));
}
