import { addDays } from "@/lib/billing/calendar-date";
import { DomainError } from "@/lib/errors";
import type { Invoice, Prisma } from "@/lib/generated/prisma/client";
import { applyCreditBalance } from "@/lib/collections/credit-balance";
import { queueInvoiceIssuedEmails } from "@/lib/collections/invoice-notices";
import { invoiceIssueTypes, recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { billedToOf } from "./billed-to";
import { companyProfile, paymentTermDays, sellerOf } from "./company-profile";
import { nextDocumentNumber } from "./document-numbers";

/**
 * Finalises a draft: takes the next gap-free number, consumes the customer's available credit (oldest credit notes
 * first, then the credit balance from payments received: lib/collections/credit-balance.ts), sets the due date, makes
 * the invoice immutable and queues its invoice-issued e-mail. An invoice with nothing left to pay is paid at once.
 * Shadow invoices are never finalised: they exist only to be compared with the old system.
 */
export async function finalizeInvoice(
  tx: Prisma.TransactionClient,
  invoiceId: string,
  now = new Date(),
  /** The billing run records its invoices' webhook events itself, once each invoice is in its final state. */
  options: { webhookEvents?: boolean } = {},
): Promise<Invoice> {
  const invoice = await tx.invoice.findUnique({ where: { id: invoiceId }, include: { customer: true } });
  if (!invoice) throw new DomainError("not_found", "invoice_not_found");
  if (invoice.shadow) throw new DomainError("forbidden", "shadow_invoice", undefined, "Shadow invoices are never finalised");
  if (invoice.status !== "draft") throw new DomainError("not_allowed", "invoice_not_draft", undefined, "Only a draft invoice can be finalised");

  const issuingDate = (invoice.issuingDate ?? now).toISOString().slice(0, 10);
  const number = await nextDocumentNumber(tx, "INV", Number(issuingDate.slice(0, 4)));

  let remaining = invoice.totalCents - invoice.creditsAppliedCents;
  const credits = remaining > BigInt(0)
    ? await tx.creditNote.findMany({
        where: { customerId: invoice.customerId, kind: "credit", status: "issued", balanceCents: { gt: 0 }, currency: invoice.currency },
        orderBy: [{ issuedAt: "asc" }, { createdAt: "asc" }],
      })
    : [];
  let applied = BigInt(0);
  for (const note of credits) {
    if (remaining <= BigInt(0)) break;
    const amount = note.balanceCents < remaining ? note.balanceCents : remaining;
    await tx.creditNote.update({ where: { id: note.id }, data: { balanceCents: note.balanceCents - amount } });
    await tx.creditApplication.create({ data: { invoiceId, creditNoteId: note.id, amountCents: amount } });
    remaining -= amount;
    applied += amount;
  }
  if (applied > BigInt(0)) {
    await tx.customer.update({ where: { id: invoice.customerId }, data: { creditBalanceCents: { decrement: applied } } });
  }
  const settled = remaining <= BigInt(0);
  const profile = await companyProfile(tx);
  const updated = await tx.invoice.update({
    where: { id: invoiceId },
    data: {
      number,
      status: settled ? "paid" : "finalized",
      finalizedAt: now,
      paidAt: settled ? now : null,
      issuingDate: new Date(`${issuingDate}T00:00:00Z`),
      paymentDueDate: new Date(`${addDays(issuingDate, paymentTermDays(invoice.customer, profile))}T00:00:00Z`),
      creditsAppliedCents: invoice.creditsAppliedCents + applied,
      billedTo: billedToOf(invoice.customer),
      seller: sellerOf(profile),
    },
  });
  await tx.auditLog.create({ data: { actorType: "system", action: "invoice.finalized", entityType: "Invoice", entityId: invoiceId, data: { number } } });
  const finalized = await applyCreditBalance(tx, updated, now);
  await queueInvoiceIssuedEmails(tx, [invoiceId]);
  if (options.webhookEvents !== false) await recordInvoiceEvents(tx, [invoice], (i) => invoiceIssueTypes(i.status, i.paymentStatus));
  return finalized;
}
