import { DomainError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { invoiceIssueTypes, recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { billedToSql } from "./billed-to";
import { companyProfile, sellerOf } from "./company-profile";
import { reserveDocumentNumbers } from "./document-numbers";

/**
 * `issue()`: the one place a draft invoice becomes an issued one. For each draft, in the caller's transaction and with a
 * few set-based statements however many there are (the period close issues a whole chunk at once):
 * - consumes the customer's credit balance (credit notes, oldest first) against what the invoice owes;
 * - takes the next gap-free number of its year (lib/invoicing/document-numbers.ts);
 * - sets status (paid at once when nothing is left to pay, else finalized), finalizedAt, issuing and due dates;
 * - freezes who it is billed to and the seller, as they stand now;
 * - writes the audit entry, and the webhook events (invoice.created, invoice.finalized, invoice.paid).
 * Shadow invoices are never issued: they exist only to be compared with the old system.
 */
export interface IssueOptions {
  /** The period close records webhook events itself, once every invoice of its chunk is in its final state. */
  webhookEvents?: boolean;
  /** Who issued it, for the audit entry (the system by default: the period close or an API call). */
  actor?: { type: "system" | "staff" | "service"; id?: string | null };
}

export interface IssuedInvoice {
  id: string;
  serviceId: string;
  number: string;
  status: "finalized" | "paid";
}

interface DraftToIssue {
  id: string;
  customerId: string;
  serviceId: string;
  status: string;
  shadow: boolean;
  issuingDate: Date | null;
  currency: string;
  totalCents: bigint;
  creditsAppliedCents: bigint;
  creditBalanceCents: bigint;
}

const ZERO = BigInt(0);

export async function issueInvoices(tx: Prisma.TransactionClient, invoiceIds: string[], now = new Date(), options: IssueOptions = {}): Promise<IssuedInvoice[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await tx.$queryRaw<DraftToIssue[]>`
    SELECT i.id, i."customerId", i."serviceId", i.status::text AS status, i.shadow, i."issuingDate", i.currency, i."totalCents",
           i."creditsAppliedCents", c."creditBalanceCents"
      FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
     WHERE i.id = ANY(${invoiceIds}::uuid[])
       FOR UPDATE OF i`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const drafts = invoiceIds.map((id) => {
    const invoice = byId.get(id);
    if (!invoice) throw new DomainError("not_found", "invoice_not_found");
    if (invoice.shadow) throw new DomainError("forbidden", "shadow_invoice", undefined, "Shadow invoices are never finalised");
    if (invoice.status !== "draft") throw new DomainError("not_allowed", "invoice_not_draft", undefined, "Only a draft invoice can be finalised");
    return invoice;
  });

  // Credit balances: only customers holding one are looked at (rare on a period close).
  const credits = new Map<string, bigint>();
  for (const invoice of drafts) {
    if (invoice.creditBalanceCents === ZERO) continue;
    credits.set(invoice.id, await consumeCreditNotes(tx, invoice));
  }

  const issuingDay = (i: DraftToIssue) => (i.issuingDate ?? now).toISOString().slice(0, 10);
  const numbers = new Map<string, string>();
  const byYear = new Map<number, DraftToIssue[]>();
  for (const invoice of drafts) {
    const year = Number(issuingDay(invoice).slice(0, 4));
    (byYear.get(year) ?? byYear.set(year, []).get(year)!).push(invoice);
  }
  for (const [year, list] of byYear) {
    const taken = await reserveDocumentNumbers(tx, "INV", year, list.length);
    list.forEach((invoice, n) => numbers.set(invoice.id, taken[n]));
  }

  const profile = await companyProfile(tx);
  const updates = drafts.map((i) => ({
    id: i.id,
    number: numbers.get(i.id)!,
    issued: issuingDay(i),
    credits: (i.creditsAppliedCents + (credits.get(i.id) ?? ZERO)).toString(),
  }));
  const issued = await tx.$queryRaw<{ id: string; serviceId: string; number: string; status: "finalized" | "paid" }[]>`
    UPDATE "Invoice" i
       SET number = u.number,
           status = (CASE WHEN i."totalCents" - u.credits <= 0 THEN 'paid' ELSE 'finalized' END)::"InvoiceStatus",
           "finalizedAt" = ${now}::timestamptz,
           "paidAt" = CASE WHEN i."totalCents" - u.credits <= 0 THEN ${now}::timestamptz END,
           "issuingDate" = u.issued,
           "paymentDueDate" = u.issued + COALESCE(c."netPaymentTermDays", ${profile.defaultPaymentTermDays}::int),
           "creditsAppliedCents" = u.credits,
           "billedTo" = ${billedToSql("c")},
           seller = ${JSON.stringify(sellerOf(profile))}::jsonb,
           "updatedAt" = now()
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS u(id uuid, number text, issued date, credits bigint), "Customer" c
     WHERE i.id = u.id AND c.id = i."customerId"
    RETURNING i.id, i."serviceId", i.number, i.status::text AS status`;

  const actor = options.actor ?? { type: "system" as const };
  await tx.$executeRaw`
    INSERT INTO "AuditLog" (id, "actorType", "actorId", action, "entityType", "entityId", data)
    SELECT gen_random_uuid(), ${actor.type}::"ActorType", ${actor.id ?? null}, 'invoice.finalized', 'Invoice', u.id, jsonb_build_object('number', u.number)
      FROM jsonb_to_recordset(${JSON.stringify(updates.map((u) => ({ id: u.id, number: u.number })))}::jsonb) AS u(id text, number text)`;
  if (options.webhookEvents !== false) await recordInvoiceEvents(tx, issued, (i) => invoiceIssueTypes(i.status));
  const order = new Map(invoiceIds.map((id, n) => [id, n]));
  return issued.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** Applies the customer's credit notes (oldest first) to what the invoice still owes; returns the amount applied. */
async function consumeCreditNotes(tx: Prisma.TransactionClient, invoice: DraftToIssue): Promise<bigint> {
  let remaining = invoice.totalCents - invoice.creditsAppliedCents;
  if (remaining <= ZERO) return ZERO;
  const notes = await tx.creditNote.findMany({
    where: { customerId: invoice.customerId, kind: "credit", status: "issued", balanceCents: { gt: 0 }, currency: invoice.currency },
    orderBy: [{ issuedAt: "asc" }, { createdAt: "asc" }],
  });
  let applied = ZERO;
  for (const note of notes) {
    if (remaining <= ZERO) break;
    const amount = note.balanceCents < remaining ? note.balanceCents : remaining;
    await tx.creditNote.update({ where: { id: note.id }, data: { balanceCents: note.balanceCents - amount } });
    await tx.creditApplication.create({ data: { invoiceId: invoice.id, creditNoteId: note.id, amountCents: amount } });
    remaining -= amount;
    applied += amount;
  }
  if (applied > ZERO) await tx.customer.update({ where: { id: invoice.customerId }, data: { creditBalanceCents: { decrement: applied } } });
  return applied;
}

/** Issues one draft (staff, API). */
export async function issueInvoice(tx: Prisma.TransactionClient, invoiceId: string, now = new Date(), options: IssueOptions = {}) {
  await issueInvoices(tx, [invoiceId], now, options);
  return tx.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
}
