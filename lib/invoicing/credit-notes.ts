import { mulDivHalfUp } from "@/lib/billing/money";
import { taxAmountCents } from "@/lib/billing/tax/rounding";
import { DomainError, invalidField } from "@/lib/errors";
import type { CreditNote, CreditNoteKind, Prisma } from "@/lib/generated/prisma/client";
import { recordCreditNoteCreated } from "@/lib/webhooks/lifecycle-events";
import { billedToOf } from "./billed-to";
import { composeInvoice } from "./compose-invoice";
import { companyProfile, sellerOf } from "./company-profile";
import { nextDocumentNumber } from "./document-numbers";

export const CREDIT_NOTE_REASONS = ["duplicated_charge", "product_unsatisfactory", "order_change", "order_cancellation", "fraudulent_charge", "other"] as const;
export type CreditNoteReason = (typeof CREDIT_NOTE_REASONS)[number];

export interface CreditNoteRequest {
  invoiceId: string;
  reason: CreditNoteReason;
  description?: string | null;
  /** refund: money back to the customer; credit: a balance their next invoices consume. */
  kind: CreditNoteKind;
  /** Amounts before tax, per invoice line (or free-standing with no line, e.g. unused days of a prepaid fee). */
  items: { invoiceLineId?: string | null; description?: string; amountCents: bigint }[];
}

/** Each tax of the invoice applied to a credited amount, with the invoice's own rounding rule (lib/billing/tax/rounding.ts). */
export function creditedTaxes<T extends { rate: { toString(): string } }>(subtotalCents: bigint, invoiceTaxes: T[]): (T & { amountCents: bigint })[] {
  return invoiceTaxes.map((t) => ({ ...t, amountCents: taxAmountCents(subtotalCents, t.rate.toString()) }));
}

/**
 * What a gross amount of an invoice's lines is worth net of the invoice's coupons and progressive-billing credit:
 * its pro-rata share of the net subtotal (amount × net subtotal / sum of the lines), rounded half up once.
 */
export function netShareCents(amountCents: bigint, grossLinesCents: bigint, netSubtotalCents: bigint): bigint {
  if (amountCents <= BigInt(0) || grossLinesCents <= BigInt(0) || netSubtotalCents >= grossLinesCents) return amountCents;
  if (netSubtotalCents <= BigInt(0)) return BigInt(0);
  return mulDivHalfUp(amountCents, netSubtotalCents, grossLinesCents);
}

type CreditableInvoice = {
  subtotalCents: bigint;
  lines: { id: string; amountCents: bigint; creditNoteLines: { amountCents: bigint; creditNote: { status: string } }[] }[];
  creditNotes: { status: string; subtotalCents: bigint }[];
};

/** What is still creditable, before tax: on one line (its net share less earlier credits) and on the whole invoice. */
export function creditableCents(invoice: CreditableInvoice, invoiceLineId: string | null): { lineCents: bigint | null; invoiceCents: bigint } {
  const alreadyCredited = invoice.creditNotes.filter((c) => c.status !== "voided").reduce((sum, c) => sum + c.subtotalCents, BigInt(0));
  const invoiceCents = invoice.subtotalCents - alreadyCredited;
  const line = invoiceLineId ? invoice.lines.find((l) => l.id === invoiceLineId) : undefined;
  if (!line) return { lineCents: null, invoiceCents };
  const grossLines = invoice.lines.reduce((sum, l) => sum + l.amountCents, BigInt(0));
  const credited = line.creditNoteLines.filter((c) => c.creditNote.status !== "voided").reduce((sum, c) => sum + c.amountCents, BigInt(0));
  return { lineCents: netShareCents(line.amountCents, grossLines, invoice.subtotalCents) - credited, invoiceCents };
}

/** An invoice with what creditableCents needs. */
export function loadCreditableInvoice(tx: Prisma.TransactionClient, invoiceId: string) {
  return tx.invoice.findUnique({
    where: { id: invoiceId },
    include: { lines: { include: { creditNoteLines: { include: { creditNote: true } } } }, taxes: true, creditNotes: true, customer: true },
  });
}

/**
 * Issues a numbered credit note against a finalised invoice. Taxes are credited at the invoice's own rates, so the
 * credit mirrors what was charged; per line, no more than what is left of that line after earlier credit notes.
 */
export async function issueCreditNote(tx: Prisma.TransactionClient, request: CreditNoteRequest, now = new Date()): Promise<CreditNote> {
  const invoice = await loadCreditableInvoice(tx, request.invoiceId);
  if (!invoice) throw new DomainError("not_found", "invoice_not_found");
  // Its credits live in a wallet: staff void them there (a credit note would refund the card and leave them spendable).
  if (invoice.invoiceType === "credit") throw invalidField("base", "not_supported_for_prepaid_credit_invoice", "Credit notes are not supported on prepaid-credit invoices; void the credits through the wallet");
  if (invoice.status !== "finalized" && invoice.status !== "paid") {
    throw new DomainError("not_allowed", "invalid_type_or_status", undefined, "Only finalised or paid invoices can be credited");
  }
  if (request.items.length === 0) throw invalidField("items", "value_is_mandatory");
  for (const [index, item] of request.items.entries()) {
    if (item.amountCents <= BigInt(0)) throw invalidField(`items.${index}.amount_cents`, "value_is_out_of_range");
    if (!item.invoiceLineId) continue;
    const line = invoice.lines.find((l) => l.id === item.invoiceLineId);
    if (!line) throw new DomainError("not_found", "fee_not_found", { [`items.${index}.fee_id`]: ["fee_not_found"] });
    // Each line is creditable up to its share net of coupons and progressive-billing credit: what was charged for it.
    if (item.amountCents > creditableCents(invoice, line.id).lineCents!) throw invalidField(`items.${index}.amount_cents`, "higher_than_remaining_fee_amount");
  }
  // The credit is composed like an invoice: its items, then the invoice's own taxes at the shared rounding.
  const composition = composeInvoice({
    lines: request.items,
    taxes: (taxableCents) => {
      const lines = creditedTaxes(taxableCents, invoice.taxes);
      return { lines: lines.map((t) => ({ code: t.code, name: t.name, ratePercent: t.rate.toString(), taxableAmountCents: taxableCents, amountCents: t.amountCents, registrationNumber: t.registrationNumber })), totalCents: lines.reduce((sum, t) => sum + t.amountCents, BigInt(0)), note: null };
    },
  });
  const subtotal = composition.subtotalCents;
  if (subtotal > creditableCents(invoice, null).invoiceCents) throw invalidField("base", "higher_than_remaining_invoice_amount");

  const taxes = composition.taxesCents;
  const total = composition.totalCents;
  const issuingYear = now.getUTCFullYear();
  const note = await tx.creditNote.create({
    data: {
      number: await nextDocumentNumber(tx, "CN", issuingYear),
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      kind: request.kind,
      status: "issued",
      reason: request.reason,
      description: request.description ?? null,
      currency: invoice.currency,
      subtotalCents: subtotal,
      taxesCents: taxes,
      totalCents: total,
      balanceCents: request.kind === "credit" ? total : BigInt(0),
      issuedAt: now,
      billedTo: billedToOf(invoice.customer),
      seller: sellerOf(await companyProfile(tx)),
      lines: {
        create: request.items.map((item) => ({
          invoiceLineId: item.invoiceLineId ?? null,
          description: item.description ?? invoice.lines.find((l) => l.id === item.invoiceLineId)?.description ?? "Credit",
          amountCents: item.amountCents,
        })),
      },
    },
  });
  if (request.kind === "credit") {
    await tx.customer.update({ where: { id: invoice.customerId }, data: { creditBalanceCents: { increment: total } } });
  }
  await tx.auditLog.create({ data: { actorType: "system", action: "credit_note.created", entityType: "CreditNote", entityId: note.id, data: { invoiceId: invoice.id, total: total.toString() } } });
  await recordCreditNoteCreated(tx, note.id);
  return note;
}
