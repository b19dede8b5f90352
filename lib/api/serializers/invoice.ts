import type { AppliedCoupon, Coupon, CreditNote, Customer, Invoice, InvoiceCoupon, InvoiceLine, InvoiceTax } from "@/lib/generated/prisma/client";
import { linesSubtotalCents } from "@/lib/invoicing/draft-invoices";

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export type InvoiceCouponWithCoupon = InvoiceCoupon & { appliedCoupon: AppliedCoupon & { coupon: Pick<Coupon, "code" | "name"> } };
export type InvoiceWithDetails = Invoice & { lines?: InvoiceLine[]; taxes?: InvoiceTax[]; customer?: Customer; coupons?: InvoiceCouponWithCoupon[] };

/** What an invoice query includes for the coupons it used (Lago's credits of type coupon). */
export const invoiceCouponsInclude = { orderBy: { createdAt: "asc" }, include: { appliedCoupon: { include: { coupon: { select: { code: true, name: true } } } } } } as const;

/** Lago's invoice object; `paid` is Lago's finalised invoice with payment_status succeeded. */
export function serializeInvoice(invoice: InvoiceWithDetails, options: { externalCustomerId?: string; fileUrl?: string | null } = {}) {
  const due = invoice.status === "voided" ? BigInt(0) : invoice.totalCents - invoice.creditsAppliedCents - invoice.amountPaidCents;
  const taxRate = (invoice.taxes ?? []).reduce((sum, t) => sum + Number(t.rate.toString()), 0);
  return {
    lago_id: invoice.id,
    sequential_id: invoice.number ? Number(invoice.number.slice(-6)) : null,
    // From the id's random end: a time-ordered id (timeOrderedId) starts with its creation time, shared by a close's drafts.
    number: invoice.number ?? `DRAFT-${invoice.id.slice(-8).toUpperCase()}`,
    issuing_date: day(invoice.issuingDate),
    payment_due_date: day(invoice.paymentDueDate),
    net_payment_term: invoice.customer?.netPaymentTermDays ?? null,
    invoice_type: invoice.invoiceType,
    status: invoice.status === "paid" ? "finalized" : invoice.status,
    payment_status: invoice.status === "paid" ? "succeeded" : invoice.paymentStatus,
    payment_overdue: invoice.status === "finalized" && invoice.paymentDueDate !== null && invoice.paymentDueDate < new Date(),
    currency: invoice.currency,
    fees_amount_cents: linesSubtotalCents(invoice),
    taxes_amount_cents: invoice.taxesCents,
    coupons_amount_cents: invoice.couponsCents,
    credit_notes_amount_cents: invoice.creditsAppliedCents - invoice.prepaidCreditCents,
    prepaid_credit_amount_cents: invoice.prepaidCreditCents,
    progressive_billing_credit_amount_cents: invoice.progressiveBillingCreditCents,
    sub_total_excluding_taxes_amount_cents: invoice.subtotalCents,
    sub_total_including_taxes_amount_cents: invoice.subtotalCents + invoice.taxesCents,
    total_amount_cents: invoice.totalCents - invoice.creditsAppliedCents,
    total_due_amount_cents: due,
    total_paid_amount_cents: invoice.amountPaidCents,
    taxes_rate: taxRate,
    tax_note: invoice.taxNote,
    shadow: invoice.shadow,
    file_url: options.fileUrl ?? null,
    billing_period_started_at: iso(invoice.periodStart),
    billing_period_ended_at: iso(invoice.periodEnd),
    version_number: 4,
    self_billed: false,
    created_at: iso(invoice.createdAt),
    updated_at: iso(invoice.updatedAt),
    voided_at: iso(invoice.voidedAt),
    ...(invoice.customer ? { customer: { lago_id: invoice.customer.id, external_id: options.externalCustomerId ?? null, name: invoice.customer.displayName ?? invoice.customer.legalName, legal_name: invoice.customer.legalName } } : {}),
    ...(invoice.lines
      ? {
          fees: invoice.lines.map((line) => ({
            lago_id: line.id,
            lago_charge_id: line.chargeId,
            lago_subscription_id: line.subscriptionId,
            item: { type: line.kind === "subscription_fee" ? "subscription" : line.kind === "minimum_true_up" ? "commitment" : line.kind === "one_off" ? "add_on" : line.kind === "prepaid_credit" ? "credit" : "charge", name: line.description },
            amount_cents: line.amountCents,
            amount_currency: invoice.currency,
            units: line.quantity.toString(),
            included_units: line.includedQuantity.toString(),
            unit_amount: line.unitAmount?.toString() ?? null,
            from_datetime: iso(line.periodStart),
            to_datetime: iso(line.periodEnd),
            amount_details: line.details,
            pay_in_advance: isInAdvanceCharge(line.details),
            event_transaction_id: isInAdvanceCharge(line.details) ? (line.details as { transactionId?: string }).transactionId ?? null : null,
          })),
          credits: (invoice.coupons ?? []).map((c) => ({
            lago_id: c.id,
            amount_cents: c.amountCents,
            amount_currency: invoice.currency,
            before_taxes: true,
            item: { lago_item_id: c.appliedCouponId, type: "coupon", code: c.appliedCoupon.coupon.code, name: c.appliedCoupon.coupon.name },
            invoice: { lago_id: invoice.id, payment_status: invoice.status === "paid" ? "succeeded" : invoice.paymentStatus },
          })),
          applied_taxes: (invoice.taxes ?? []).map((t) => ({
            lago_id: t.id,
            tax_code: t.code,
            tax_name: t.name,
            tax_rate: Number(t.rate.toString()),
            taxable_amount_cents: t.taxableAmountCents,
            amount_cents: t.amountCents,
            registration_number: t.registrationNumber,
          })),
        }
      : {}),
  };
}

/** `refundStatus`: how paying a refund note back went, from its one owner (withRefundStatus, lib/payments/credit-note-refunds.ts). */
export function serializeCreditNote(note: CreditNote & { invoice?: Invoice | null; refundStatus: "pending" | "succeeded" | "failed" | null }, fileUrl: string | null = null) {
  return {
    lago_id: note.id,
    sequential_id: note.number ? Number(note.number.slice(-6)) : null,
    number: note.number,
    lago_invoice_id: note.invoiceId,
    invoice_number: note.invoice?.number ?? null,
    issuing_date: day(note.issuedAt),
    credit_status: note.kind === "credit" ? (note.status === "voided" ? "voided" : note.balanceCents > BigInt(0) ? "available" : "consumed") : null,
    refund_status: note.kind === "refund" ? note.refundStatus : null,
    reason: note.reason,
    description: note.description,
    currency: note.currency,
    total_amount_cents: note.totalCents,
    taxes_amount_cents: note.taxesCents,
    sub_total_excluding_taxes_amount_cents: note.subtotalCents,
    balance_amount_cents: note.balanceCents,
    credit_amount_cents: note.kind === "credit" ? note.totalCents : 0,
    refund_amount_cents: note.kind === "refund" ? note.totalCents : 0,
    offset_amount_cents: 0,
    file_url: fileUrl,
    created_at: iso(note.createdAt),
    updated_at: iso(note.updatedAt),
  };
}

/** A fee billed on its event (pay-in-advance charge; lib/invoicing/advance-charges.ts). */
function isInAdvanceCharge(details: unknown): boolean {
  return typeof details === "object" && details !== null && (details as { payInAdvance?: unknown }).payInAdvance === true;
}
