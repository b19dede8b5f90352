import { Prisma, type Customer, type InvoiceLine, type InvoiceTax } from "@/lib/generated/prisma/client";
import { storedAmounts } from "@/lib/invoicing/draft-invoices";
import type { InvoicePreview } from "@/lib/invoicing/invoice-preview";
import { serializeInvoice, type InvoiceWithDetails } from "./invoice";

/**
 * Lago's invoice object for a preview: the same fields as an issued invoice (serializeInvoice), with no ids, number or
 * timestamps, since nothing was written; fees name their subscription by external id (a new one has no lago id).
 */
export function serializeInvoicePreview(preview: InvoicePreview) {
  const c = preview.composition;
  const invoice: InvoiceWithDetails = {
    id: "", number: null, customerId: preview.customer.id, serviceId: "", invoiceType: "subscription", status: "draft", shadow: false, billingKey: null,
    periodStart: preview.periodStart, periodEnd: preview.periodEnd, issuingDate: new Date(`${preview.issuingDate}T00:00:00Z`), paymentDueDate: null,
    // The amounts as the close stores them (storedAmounts).
    currency: preview.currency, ...storedAmounts(c), prepaidCreditCents: BigInt(0), creditsAppliedCents: BigInt(0),
    amountPaidCents: BigInt(0), paymentStatus: "pending", sources: [], billedTo: null, seller: null,
    finalizedAt: null, paidAt: null, voidedAt: null, createdAt: new Date(0), updatedAt: new Date(0),
    lines: c.lines.map((line) => ({
      id: "", invoiceId: "", subscriptionId: line.subscriptionId, chargeId: line.chargeId, kind: line.kind, description: line.description,
      quantity: new Prisma.Decimal(line.quantity), includedQuantity: new Prisma.Decimal(line.includedQuantity),
      unitAmount: line.unitAmount === null ? null : new Prisma.Decimal(line.unitAmount), amountCents: line.amountCents,
      details: line.details as Prisma.JsonValue, periodStart: line.periodStart, periodEnd: line.periodEnd,
    })) as unknown as InvoiceLine[],
    taxes: c.taxes.map((t) => ({
      id: "", invoiceId: "", code: t.code, name: t.name, rate: new Prisma.Decimal(t.ratePercent), taxableAmountCents: t.taxableAmountCents,
      amountCents: t.amountCents, registrationNumber: t.registrationNumber,
    })) as unknown as InvoiceTax[],
    customer: { ...preview.customer, displayName: null } as unknown as Customer,
      coupons: [],
  };
  const base = serializeInvoice(invoice, { externalCustomerId: preview.externalCustomerId ?? undefined });
  return {
    ...base,
    lago_id: null,
    sequential_id: null,
    number: null,
    payment_overdue: false,
    created_at: null,
    updated_at: null,
    // The customer billed, with the address the invoice would carry (a prospect's as sent).
    customer: {
      ...base.customer!,
      lago_id: preview.existingCustomer ? preview.customer.id : null,
      external_id: preview.externalCustomerId,
      address_line1: preview.customer.addressLine1 ?? null,
      address_line2: preview.customer.addressLine2 ?? null,
      city: preview.customer.city ?? null,
      zipcode: preview.customer.postalCode ?? null,
      state: preview.customer.province,
      country: preview.customer.country,
      tax_identification_number: preview.customer.taxIdentificationNumber ?? null,
    },
    fees: base.fees!.map((fee, i) => ({
      ...fee,
      lago_id: null,
      lago_subscription_id: preview.existingSubscriptionIds.has(c.lines[i].subscriptionId) ? c.lines[i].subscriptionId : null,
      external_subscription_id: preview.externalIds.get(c.lines[i].subscriptionId) ?? null,
    })),
    credits: c.discounts.map((d) => ({
      lago_id: null, amount_cents: d.amountCents, amount_currency: preview.currency, before_taxes: true,
      item: { lago_item_id: d.code, type: "coupon", code: preview.couponCodes.get(d.code) ?? d.code, name: d.description }, invoice: { lago_id: null, payment_status: "pending" },
    })),
    applied_taxes: base.applied_taxes!.map((t) => ({ ...t, lago_id: null })),
  };
}
