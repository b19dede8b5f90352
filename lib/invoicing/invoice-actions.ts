import type { Db } from "@/lib/db/prisma";
import { localDate } from "@/lib/billing/calendar-date";
import { DomainError } from "@/lib/errors";
import { Prisma, type Invoice, type InvoiceLineKind } from "@/lib/generated/prisma/client";
import { taxesForInvoice } from "@/lib/billing/tax/invoice-taxes";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";
import { companyProfile } from "./company-profile";
import { composeInvoice } from "./compose-invoice";
import { invoiceLineRows, invoiceTaxRows, storedAmounts } from "./draft-invoices";
import { progressiveBillingCredits } from "./progressive-billing";
import { usageLines } from "./invoice-lines";
import { voidTransition } from "./invoice-status";
import { returnConsumedCredits } from "@/lib/wallets/consumption";
import { issueInvoice, type IssueOptions } from "./issue-invoice";
import { rateUsageWindow, storedUsageWindow } from "./usage-window";
import { consumeCoupons, couponDiscounts } from "@/lib/coupons/coupon-discounts";
import { couponBookKey, recordCouponConsumption, releaseInvoiceCoupons } from "@/lib/coupons/coupon-ledger";

/**
 * Voids a finalised, unpaid invoice: it stays in the ledger with its number (numbers are never reused), owes nothing,
 * and any customer credit it had consumed is given back.
 */
export async function voidInvoice(client: Db, invoiceId: string, now = new Date()): Promise<Invoice> {
  return client.$transaction(async (tx) => {
    const invoice = await tx.invoice.findUnique({ where: { id: invoiceId }, include: { creditApplications: true } });
    if (!invoice) throw new DomainError("not_found", "invoice_not_found");
    const voided = voidTransition(invoice, now);
    let returned = BigInt(0);
    for (const application of invoice.creditApplications) {
      await tx.creditNote.update({ where: { id: application.creditNoteId }, data: { balanceCents: { increment: application.amountCents } } });
      returned += application.amountCents;
    }
    await tx.creditApplication.deleteMany({ where: { invoiceId } });
    // Coupons it used are given back, as Lago re-credits them on void.
    await releaseInvoiceCoupons(tx, invoice, now);
    if (returned > BigInt(0)) await tx.customer.update({ where: { id: invoice.customerId }, data: { creditBalanceCents: { increment: returned } } });
    // Prepaid credit it consumed goes back to its wallets.
    await returnConsumedCredits(tx, invoiceId, now);
    await tx.auditLog.create({ data: { actorType: "system", action: "invoice.voided", entityType: "Invoice", entityId: invoiceId } });
    const updated = await tx.invoice.update({ where: { id: invoiceId }, data: voided });
    await recordInvoiceEvents(tx, [invoice], () => ["invoice.voided"]);
    return updated;
  });
}

/** The lines a refresh rates again from usage; every other line stays as the close composed it. */
const RERATED_KINDS: InvoiceLineKind[] = ["usage_charge", "minimum_true_up"];

/**
 * Recomputes a draft's usage (late events and pushes count) and taxes; fees stay as billed. Each subscription's usage is
 * rated over the window stored on the invoice when it was composed (InvoiceUsageWindow), with the same spending-minimum
 * proration, and totals come from the same composition as the period close. A finalised invoice is immutable and comes
 * back unchanged, as in Lago. Runs in the caller's transaction.
 */
export async function refreshDraft(tx: Prisma.TransactionClient, invoiceId: string): Promise<Invoice> {
  // Locked first: a refresh racing a finalize must see the issued invoice and leave it as it is.
  await tx.$queryRaw`SELECT id FROM "Invoice" WHERE id = ${invoiceId}::uuid FOR UPDATE`;
  const invoice = await tx.invoice.findUnique({ where: { id: invoiceId }, include: { customer: true, lines: true, usageWindows: { include: { subscription: true } } } });
  if (!invoice) throw new DomainError("not_found", "invoice_not_found");
  if (invoice.status !== "draft") return invoice;
  // Only usage is re-rated: fees, suspension and proration credits and one-off lines stay as composed.
  const kept = invoice.lines.filter((l) => !RERATED_KINDS.includes(l.kind)).sort((a, b) => a.position - b.position);
  const fresh = [];
  // In the order the close billed the subscriptions (its sources). A source rated over a window whose row is missing
  // would lose its usage lines here: refused rather than re-rated without them.
  const sources = invoice.sources as { subscriptionId?: string; usageWindow?: unknown }[];
  const storedWindows = new Set(invoice.usageWindows.map((w) => w.subscriptionId));
  const unstored = sources.filter((s) => s.usageWindow && s.subscriptionId && !storedWindows.has(s.subscriptionId)).map((s) => s.subscriptionId);
  if (unstored.length) throw new DomainError("conflict", "usage_window_missing", { subscriptions: unstored }, "This draft's usage windows are not stored; it cannot be re-rated");
  const billedOrder = sources.map((s) => s.subscriptionId);
  const rank = (id: string) => (billedOrder.indexOf(id) + billedOrder.length + 1) % (billedOrder.length + 1);
  for (const stored of invoice.usageWindows.sort((a, b) => rank(a.subscriptionId) - rank(b.subscriptionId) || a.subscriptionId.localeCompare(b.subscriptionId))) {
    const window = storedUsageWindow(stored);
    fresh.push(...usageLines(stored.subscriptionId, await rateUsageWindow(tx, stored.subscription, window), window));
  }
  const profile = await companyProfile(tx);
  const taxPoint = localDate(invoice.issuingDate ?? new Date(), "UTC");
  // The coupons the draft took are given back, then taken again from the recomposed amounts (shadow drafts take none).
  const now = new Date();
  const book = invoice.shadow ? new Map() : await releaseInvoiceCoupons(tx, invoice, now);
  const coupons = book.get(couponBookKey(invoice.customerId, invoice.serviceId)) ?? [];
  const lines = [...kept.map((l) => ({ amountCents: l.amountCents, subscriptionId: l.subscriptionId })), ...fresh];
  const subscriptionIds = [...new Set(lines.map((l) => l.subscriptionId).filter((id): id is string => id !== null))];
  const planOf = new Map((await tx.subscription.findMany({ where: { id: { in: subscriptionIds } }, select: { id: true, planId: true, plan: { select: { parentId: true } } } })).map((s) => [s.id, s.plan?.parentId ?? s.planId]));
  const progressive = await progressiveBillingCredits(tx, invoice.usageWindows.map((w) => ({ subscriptionId: w.subscriptionId, periodStart: w.periodStart })));
  const composition = composeInvoice({
    lines,
    credits: [...progressive.values()].map((amountCents) => ({ code: "progressive_billing", description: "Usage already billed during the period (progressive billing)", amountCents })),
    discounts: couponDiscounts(lines.map((l) => ({ amountCents: l.amountCents, planId: l.subscriptionId ? (planOf.get(l.subscriptionId) ?? null) : null })), coupons),
    taxes: (taxableCents) => taxesForInvoice(invoice, invoice.customer, profile, taxableCents, taxPoint),
  });
  await recordCouponConsumption(tx, book, [{ invoiceId, rows: consumeCoupons(coupons, composition.discounts) }], now);
  await tx.invoiceLine.deleteMany({ where: { invoiceId, kind: { in: RERATED_KINDS } } });
  const firstFreshPosition = kept.reduce((max, l) => Math.max(max, l.position + 1), 0);
  await tx.invoiceTax.deleteMany({ where: { invoiceId } });
  if (fresh.length) await tx.invoiceLine.createMany({ data: invoiceLineRows(fresh, firstFreshPosition).map((row) => ({ ...row, invoiceId })) });
  await tx.invoiceTax.createMany({ data: invoiceTaxRows(composition).map((row) => ({ ...row, invoiceId })) });
  return tx.invoice.update({ where: { id: invoiceId }, data: storedAmounts(composition) });
}

export function refreshDraftInvoice(client: Db, invoiceId: string): Promise<Invoice> {
  return client.$transaction((tx) => refreshDraft(tx, invoiceId));
}

/**
 * The refresh-and-finalize use case (Lago's `PUT /invoices/:id/finalize`, the console's Finalize button): the draft is
 * re-rated and issued in one transaction, so what is issued is exactly what was just computed.
 */
export async function refreshAndFinalizeInvoice(client: Db, invoiceId: string, options: IssueOptions = {}, now = new Date()): Promise<Invoice> {
  return client.$transaction(async (tx) => {
    await refreshDraft(tx, invoiceId);
    return issueInvoice(tx, invoiceId, now, options);
  });
}
