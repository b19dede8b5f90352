import type { Db } from "@/lib/db/prisma";
import { localDate } from "@/lib/billing/calendar-date";
import { DomainError } from "@/lib/errors";
import { Prisma, type Invoice } from "@/lib/generated/prisma/client";
import { rateSubscriptionUsage } from "@/lib/rating/rate-subscription-usage";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { companyProfile } from "./company-profile";
import { taxesForInvoice } from "@/lib/billing/tax/invoice-taxes";
import { usageLines } from "./invoice-lines";

/**
 * Voids a finalised, unpaid invoice: it stays in the ledger with its number (numbers are never reused), owes nothing,
 * and any customer credit it had consumed is given back.
 */
export async function voidInvoice(client: Db, invoiceId: string, now = new Date()): Promise<Invoice> {
  return client.$transaction(async (tx) => {
    const invoice = await tx.invoice.findUnique({ where: { id: invoiceId }, include: { creditApplications: true } });
    if (!invoice) throw new DomainError("not_found", "invoice_not_found");
    if (invoice.status !== "finalized" || invoice.amountPaidCents > BigInt(0)) {
      throw new DomainError("not_allowed", "not_voidable", undefined, "Only a finalised invoice with nothing paid can be voided");
    }
    let returned = BigInt(0);
    for (const application of invoice.creditApplications) {
      await tx.creditNote.update({ where: { id: application.creditNoteId }, data: { balanceCents: { increment: application.amountCents } } });
      returned += application.amountCents;
    }
    await tx.creditApplication.deleteMany({ where: { invoiceId } });
    if (returned > BigInt(0)) await tx.customer.update({ where: { id: invoice.customerId }, data: { creditBalanceCents: { increment: returned } } });
    await tx.auditLog.create({ data: { actorType: "system", action: "invoice.voided", entityType: "Invoice", entityId: invoiceId } });
    const voided = await tx.invoice.update({ where: { id: invoiceId }, data: { status: "voided", voidedAt: now, creditsAppliedCents: BigInt(0) } });
    await recordInvoiceEvents(tx, [invoice], () => ["invoice.voided"]);
    return voided;
  });
}

type Source = { subscriptionId: string; usageWindow: { start: string; end: string } | null };

/**
 * Recomputes a draft's usage (late events and pushes count) and taxes; fees stay as billed. A finalised invoice is
 * immutable and comes back unchanged, as in Lago.
 */
export async function refreshDraftInvoice(client: Db, invoiceId: string): Promise<Invoice> {
  return client.$transaction(async (tx) => {
    const invoice = await tx.invoice.findUnique({ where: { id: invoiceId }, include: { customer: true, lines: true } });
    if (!invoice) throw new DomainError("not_found", "invoice_not_found");
    if (invoice.status !== "draft") return invoice;
    const sources = invoice.sources as Source[];
    const fresh = [];
    for (const source of sources) {
      if (!source.usageWindow) continue;
      const subscription = await tx.subscription.findUniqueOrThrow({ where: { id: source.subscriptionId } });
      const window = { start: new Date(source.usageWindow.start), end: new Date(source.usageWindow.end) };
      fresh.push(...usageLines(subscription.id, await rateSubscriptionUsage(tx, subscription, window), window));
    }
    const fees = invoice.lines.filter((l) => l.kind === "subscription_fee");
    await tx.invoiceLine.deleteMany({ where: { invoiceId, kind: { not: "subscription_fee" } } });
    await tx.invoiceTax.deleteMany({ where: { invoiceId } });
    const position = fees.length;
    for (const [i, line] of fresh.entries()) {
      await tx.invoiceLine.create({
        data: { ...line, invoiceId, position: position + i, quantity: new Prisma.Decimal(line.quantity), includedQuantity: new Prisma.Decimal(line.includedQuantity), unitAmount: line.unitAmount === null ? null : new Prisma.Decimal(line.unitAmount) },
      });
    }
    const subtotal = [...fees.map((f) => f.amountCents), ...fresh.map((l) => l.amountCents)].reduce((a, b) => a + b, BigInt(0));
    const taxes = taxesForInvoice(invoice, invoice.customer, await companyProfile(tx), subtotal, localDate(invoice.issuingDate ?? new Date(), "UTC"));
    await tx.invoiceTax.createMany({
      data: taxes.lines.map((t) => ({ invoiceId, code: t.code, name: t.name, rate: new Prisma.Decimal(t.ratePercent), taxableAmountCents: t.taxableAmountCents, amountCents: t.amountCents, registrationNumber: t.registrationNumber })),
    });
    return tx.invoice.update({ where: { id: invoiceId }, data: { subtotalCents: subtotal, taxesCents: taxes.totalCents, totalCents: subtotal + taxes.totalCents, taxNote: taxes.note } });
  });
}
