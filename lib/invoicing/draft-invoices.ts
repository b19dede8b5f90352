import { Prisma, type Invoice, type InvoiceType } from "@/lib/generated/prisma/client";
import type { ComposableLine, InvoiceComposition } from "./compose-invoice";
import type { InvoiceLineDraft } from "./invoice-lines";

/**
 * How a composed invoice becomes rows. Every invoice written one at a time (one-off, pay-in-advance, progressive
 * billing, prepaid-credit purchase) goes through `writeDraftInvoice`, and a draft's refresh rewrites its rows with the
 * same mappings, so the stored amounts mean the same on every kind of invoice. The period close writes whole chunks
 * with one COPY per table (close-rows.ts's InvoiceRows) from the same `storedAmounts`, and the invoice preview
 * shows them.
 */

/** A composed line: a subscription's, or one outside any subscription (one-off fees, prepaid credit). */
export type ComposedLine = Omit<InvoiceLineDraft, "subscriptionId"> & { subscriptionId: string | null };

/**
 * What the ledger stores of a composition: the subtotal net of coupons and of progressive-billing credit (what taxes
 * apply to; reports and journals read it as the invoice's revenue), with each deduction beside it.
 */
export function storedAmounts(composition: InvoiceComposition<ComposableLine>) {
  return {
    subtotalCents: composition.subtotalCents - composition.discountsCents - composition.creditsCents,
    couponsCents: composition.discountsCents,
    progressiveBillingCreditCents: composition.creditsCents,
    taxesCents: composition.taxesCents,
    totalCents: composition.totalCents,
    taxNote: composition.taxNote,
  };
}

/** A stored invoice's lines' sum: its subtotal with the coupons and progressive-billing credit it is net of added back. */
export function linesSubtotalCents(invoice: Pick<Invoice, "subtotalCents" | "couponsCents" | "progressiveBillingCreditCents">): bigint {
  return invoice.subtotalCents + invoice.couponsCents + invoice.progressiveBillingCreditCents;
}

/** Line rows in the given order, numbered from `firstPosition`. */
export function invoiceLineRows(lines: ComposedLine[], firstPosition = 0): Prisma.InvoiceLineCreateManyInvoiceInput[] {
  return lines.map((line, n) => ({
    subscriptionId: line.subscriptionId,
    chargeId: line.chargeId,
    kind: line.kind,
    description: line.description,
    quantity: new Prisma.Decimal(line.quantity),
    includedQuantity: new Prisma.Decimal(line.includedQuantity),
    unitAmount: line.unitAmount === null ? null : new Prisma.Decimal(line.unitAmount),
    amountCents: line.amountCents,
    details: line.details,
    periodStart: line.periodStart,
    periodEnd: line.periodEnd,
    position: firstPosition + n,
  }));
}

export function invoiceTaxRows(composition: InvoiceComposition<ComposableLine>): Prisma.InvoiceTaxCreateManyInvoiceInput[] {
  return composition.taxes.map((t) => ({
    code: t.code,
    name: t.name,
    rate: new Prisma.Decimal(t.ratePercent),
    taxableAmountCents: t.taxableAmountCents,
    amountCents: t.amountCents,
    registrationNumber: t.registrationNumber,
  }));
}

export interface DraftInvoiceHeader {
  customerId: string;
  serviceId: string;
  invoiceType: InvoiceType;
  shadow?: boolean;
  /** Exactly-once key of invoices a job may write twice (unique). */
  billingKey?: string;
  periodStart: Date;
  periodEnd: Date;
  /** YYYY-MM-DD, the customer's day of issue (the tax point the composition used). */
  issuingDate: string;
  currency: string;
  sources?: Prisma.InputJsonValue;
}

/** Writes a composed invoice as a draft with its lines and taxes; `issueInvoices` (issue-invoice.ts) then issues it. */
export function writeDraftInvoice(tx: Prisma.TransactionClient, header: DraftInvoiceHeader, composition: InvoiceComposition<ComposedLine>): Promise<Invoice> {
  return tx.invoice.create({
    data: {
      customerId: header.customerId,
      serviceId: header.serviceId,
      invoiceType: header.invoiceType,
      shadow: header.shadow ?? false,
      billingKey: header.billingKey ?? null,
      periodStart: header.periodStart,
      periodEnd: header.periodEnd,
      issuingDate: new Date(`${header.issuingDate}T00:00:00Z`),
      currency: header.currency,
      ...(header.sources === undefined ? {} : { sources: header.sources }),
      ...storedAmounts(composition),
      lines: { createMany: { data: invoiceLineRows(composition.lines) } },
      taxes: { createMany: { data: invoiceTaxRows(composition) } },
    },
  });
}
