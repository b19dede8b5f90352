import { addDays } from "@/lib/billing/calendar-date";
import { DomainError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { applyCreditBalance } from "@/lib/collections/credit-balance";
import { queueInvoiceIssuedEmails } from "@/lib/collections/invoice-notices";
import { invoiceIssueTypes, recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { billedToSql } from "./billed-to";
import { companyProfile, paymentTermDays, sellerOf, type CompanyProfileValues } from "./company-profile";
import { consumeWallets, holdersOfPrepaidCredit } from "@/lib/wallets/consumption";
import { reserveDocumentNumbers } from "./document-numbers";
import { issuedStatus } from "./invoice-status";
import { textRowsThrough } from "@/lib/db/transaction-connection";

/**
 * `issue()`: the one place a draft invoice becomes an issued one. For each draft, in the caller's transaction and with a
 * few set-based statements however many there are (the period close issues a whole chunk at once):
 * - consumes the customer's credit balance (credit notes, oldest first) against what the invoice owes;
 * - takes the next gap-free number of its year (lib/invoicing/document-numbers.ts);
 * - sets status (paid at once when nothing is left to pay, else finalized), finalizedAt, issuing and due dates;
 * - freezes who it is billed to and the seller, as they stand now;
 * - then applies the customer's credit balance from payments received (lib/collections/credit-balance.ts);
 * - then the customer's prepaid credit with the invoice's service (wallets, lib/wallets/consumption.ts);
 * - writes the audit entry, queues the invoice-issued e-mail, and the webhook events (invoice.created, invoice.finalized,
 *   invoice.paid).
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
  invoiceType: string;
  totalCents: bigint;
  creditsAppliedCents: bigint;
  creditBalanceCents: bigint;
  netPaymentTermDays: number | null;
}

const ZERO = BigInt(0);

export async function issueInvoices(tx: Prisma.TransactionClient, invoiceIds: string[], now = new Date(), options: IssueOptions = {}): Promise<IssuedInvoice[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await tx.$queryRaw<DraftToIssue[]>`
    SELECT i.id, i."customerId", i."serviceId", i.status::text AS status, i.shadow, i."issuingDate", i.currency, i."invoiceType"::text AS "invoiceType", i."totalCents",
           i."creditsAppliedCents", c."creditBalanceCents", c."netPaymentTermDays"
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

  // The numbers (and the series' lock) before the customers' rows (consumeCreditNotes locks them): the period close
  // holds the series while its write share-locks its customers, so taking them the other way round could deadlock.
  const issuingDay = (draft: (typeof drafts)[number]) => (draft.issuingDate ?? now).toISOString().slice(0, 10);
  const numbers = await takeInvoiceNumbers(tx, drafts.map((i) => ({ id: i.id, issuingDate: issuingDay(i) })));
  // Credit balances: only customers holding one are looked at (rare on a period close).
  const credits = new Map<string, bigint>();
  for (const invoice of drafts) {
    if (invoice.creditBalanceCents === ZERO) continue;
    credits.set(invoice.id, await consumeCreditNotes(tx, invoice));
  }

  const profile = await companyProfile(tx);
  const updates = drafts.map((i) => {
    const draft = { id: i.id, issuingDate: issuingDay(i), totalCents: i.totalCents, creditsAppliedCents: i.creditsAppliedCents + (credits.get(i.id) ?? ZERO), netPaymentTermDays: i.netPaymentTermDays };
    return { id: i.id, ...issuedJson({ number: numbers.get(i.id)!, ...issueFields(draft, profile, now) }) };
  });
  const issued = await tx.$queryRaw<IssuedInvoice[]>`
    UPDATE "Invoice" i
       SET number = u.number, status = u.status::"InvoiceStatus", "finalizedAt" = u.finalized, "paidAt" = u.paid, "issuingDate" = u.issued,
           "paymentDueDate" = u.due, "creditsAppliedCents" = u.credits, "billedTo" = ${billedToSql("c")},
           seller = ${JSON.stringify(sellerOf(profile))}::json, "updatedAt" = now()
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
           AS u(id uuid, number text, status text, finalized timestamptz, paid timestamptz, issued date, due date, credits bigint), "Customer" c
     WHERE i.id = u.id AND c.id = i."customerId"
    RETURNING i.id, i."serviceId", i.number, i.status::text AS status`;
  const order = new Map(invoiceIds.map((id, n) => [id, n]));
  issued.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  // After credit notes, the credit balance from payments received (lib/collections/credit-balance.ts): it may pay
  // the invoice in full, so the events below read each invoice's final state.
  for (const invoice of drafts) {
    if (invoice.creditBalanceCents === ZERO) continue;
    const settled = await applyCreditBalance(tx, await tx.invoice.findUniqueOrThrow({ where: { id: invoice.id } }), now);
    const entry = issued.find((i) => i.id === invoice.id);
    if (entry) entry.status = settled.status as IssuedInvoice["status"];
  }
  // Last, prepaid credit (wallets of the invoice's service): only customers holding some are looked at.
  const holders = await holdersOfPrepaidCredit(textRowsThrough(tx), [...new Set(drafts.map((i) => i.customerId))]);
  for (const invoice of drafts) {
    if (invoice.invoiceType === "credit" || !holders.has(`${invoice.customerId}:${invoice.serviceId}`)) continue;
    const settled = await consumeWallets(tx, invoice.id, now);
    const entry = issued.find((i) => i.id === invoice.id);
    if (entry) entry.status = settled.status as IssuedInvoice["status"];
  }
  await recordIssued(tx, issued, options);
  return issued;
}

/** What issuing decides for one invoice, before it is written. */
export interface IssueDraft {
  id: string;
  /** YYYY-MM-DD, the customer's day of issue (the tax point). */
  issuingDate: string;
  totalCents: bigint;
  /** Credit balance it consumes (already applied). */
  creditsAppliedCents: bigint;
  netPaymentTermDays: number | null;
}

export interface IssuedFields {
  number: string;
  status: "paid" | "finalized";
  finalizedAt: Date;
  paidAt: Date | null;
  issuingDate: string;
  paymentDueDate: string;
  creditsAppliedCents: bigint;
}

/** What issuing decides for one invoice apart from its number (pure). */
export function issueFields(draft: IssueDraft, profile: Pick<CompanyProfileValues, "defaultPaymentTermDays">, now: Date): Omit<IssuedFields, "number"> {
  const status = issuedStatus(draft.totalCents, draft.creditsAppliedCents);
  return {
    status,
    finalizedAt: now,
    paidAt: status === "paid" ? now : null,
    issuingDate: draft.issuingDate,
    paymentDueDate: addDays(draft.issuingDate, paymentTermDays(draft, profile)),
    creditsAppliedCents: draft.creditsAppliedCents,
  };
}

/**
 * Drafts grouped by the year of their issuing date (the number series), in list order within each year; years in
 * ascending order, so every issuer locks the series rows in the same order and two never wait for each other's.
 */
function byIssuingYear<T extends { issuingDate: string }>(drafts: T[]): Map<number, T[]> {
  const byYear = new Map<number, T[]>();
  for (const draft of drafts) {
    const year = Number(draft.issuingDate.slice(0, 4));
    (byYear.get(year) ?? byYear.set(year, []).get(year)!).push(draft);
  }
  return new Map([...byYear].sort(([a], [b]) => a - b));
}

/** Numbers for invoices about to be issued: one block per issuing year (years ascending), in list order within each. */
export async function takeInvoiceNumbers(tx: Prisma.TransactionClient, drafts: { id: string; issuingDate: string }[]): Promise<Map<string, string>> {
  const numbers = new Map<string, string>();
  for (const [year, list] of byIssuingYear(drafts)) {
    const block = await reserveDocumentNumbers(tx, "INV", year, list.length);
    list.forEach((draft, n) => numbers.set(draft.id, block[n]));
  }
  return numbers;
}

/** The issued fields as JSON row values (for jsonb_to_recordset). */
function issuedJson(f: IssuedFields) {
  return { number: f.number, status: f.status, finalized: f.finalizedAt.toISOString(), paid: f.paidAt?.toISOString() ?? null, issued: f.issuingDate, due: f.paymentDueDate, credits: f.creditsAppliedCents.toString() };
}

/** The audit entries (one statement), invoice-issued e-mails (queued) and webhook events of invoices just issued. */
export async function recordIssued(tx: Prisma.TransactionClient, issued: IssuedInvoice[], options: IssueOptions = {}): Promise<void> {
  if (issued.length === 0) return;
  const actor = options.actor ?? { type: "system" as const };
  await tx.$executeRaw`
    INSERT INTO "AuditLog" (id, "actorType", "actorId", action, "entityType", "entityId", data)
    SELECT gen_random_uuid(), ${actor.type}::"ActorType", ${actor.id ?? null}, 'invoice.finalized', 'Invoice', u.id, jsonb_build_object('number', u.number)
      FROM jsonb_to_recordset(${JSON.stringify(issued.map((u) => ({ id: u.id, number: u.number })))}::jsonb) AS u(id text, number text)`;
  await queueInvoiceIssuedEmails(tx, issued.map((i) => i.id));
  if (options.webhookEvents !== false) await recordInvoiceEvents(tx, issued, (i) => invoiceIssueTypes(i.status, i.paymentStatus));
}

/** Applies the customer's credit notes (oldest first) to what the invoice still owes; returns the amount applied. */
async function consumeCreditNotes(tx: Prisma.TransactionClient, invoice: DraftToIssue): Promise<bigint> {
  let remaining = invoice.totalCents - invoice.creditsAppliedCents;
  if (remaining <= ZERO) return ZERO;
  // The customer's row serialises every spending of its credit (credit-balance.ts takes the same lock): two invoices
  // issued at once must not both read the same note balance.
  await tx.$queryRaw`SELECT id FROM "Customer" WHERE id = ${invoice.customerId}::uuid FOR UPDATE`;
  const notes = await tx.creditNote.findMany({
    where: { customerId: invoice.customerId, kind: "credit", status: "issued", balanceCents: { gt: 0 }, currency: invoice.currency },
    orderBy: [{ issuedAt: "asc" }, { createdAt: "asc" }],
  });
  let applied = ZERO;
  for (const note of notes) {
    if (remaining <= ZERO) break;
    const amount = note.balanceCents < remaining ? note.balanceCents : remaining;
    await tx.creditNote.update({ where: { id: note.id }, data: { balanceCents: { decrement: amount } } });
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
