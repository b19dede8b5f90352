import type { Db } from "@/lib/db/prisma";
import { localDate } from "@/lib/billing/calendar-date";
import { DomainError } from "@/lib/errors";
import { billedToOfInvoice, type BilledTo } from "@/lib/invoicing/billed-to";
import { companyProfile, sellerOfDocument, type Seller } from "@/lib/invoicing/company-profile";
import { creditedTaxes } from "@/lib/invoicing/credit-notes";
import { usagePricingLines } from "@/lib/invoicing/usage-pricing";
import type { Prisma } from "@/lib/generated/prisma/client";
import { invoiceCouponsInclude } from "@/lib/api/serializers/invoice";
import { linesSubtotalCents } from "@/lib/invoicing/draft-invoices";
import type { BillingDocument, DocumentParty } from "./billing-document";
import { formatPeriod } from "./document-text";
import { creditBalanceAppliedCents } from "@/lib/collections/credit-balance";
import { withRefundStatus } from "@/lib/payments/credit-note-refunds";

function sellerParty(profile: Seller): DocumentParty {
  const registrations = [
    profile.gstHstNumber ? { label: "GST/HST", number: profile.gstHstNumber } : null,
    profile.qstNumber ? { label: "QST", number: profile.qstNumber } : null,
    profile.bcPstNumber ? { label: "BC PST", number: profile.bcPstNumber } : null,
    profile.mbRstNumber ? { label: "MB RST", number: profile.mbRstNumber } : null,
    profile.skPstNumber ? { label: "SK PST", number: profile.skPstNumber } : null,
  ].filter((r): r is { label: string; number: string } => r !== null);
  return {
    legalName: profile.legalName,
    addressLines: [profile.addressLine1, profile.addressLine2, [profile.city, profile.province, profile.postalCode].filter(Boolean).join(" "), profile.country].filter((l): l is string => Boolean(l)),
    email: profile.email,
    registrations,
  };
}

function customerParty(customer: BilledTo): DocumentParty {
  return {
    legalName: customer.legalName,
    addressLines: [customer.addressLine1, customer.addressLine2, [customer.city, customer.province, customer.postalCode].filter(Boolean).join(" "), customer.country].filter((l): l is string => Boolean(l)),
    email: customer.email,
    registrations: [
      customer.taxIdentificationNumber ? { label: "Tax number", number: customer.taxIdentificationNumber } : null,
      customer.taxExemptionNumber ? { label: "Exemption", number: customer.taxExemptionNumber } : null,
    ].filter((r): r is { label: string; number: string } => r !== null),
  };
}

/** The seller a document prints (its snapshot, or today's profile for a draft), with its footer and logo. */
async function documentSeller(client: Db, snapshot: Prisma.JsonValue | null): Promise<Pick<BillingDocument, "seller" | "footer" | "logo">> {
  const seller = sellerOfDocument(snapshot, await companyProfile(client));
  const logo = seller.logoId ? await client.companyLogo.findUnique({ where: { id: seller.logoId } }) : null;
  return {
    seller: sellerParty(seller),
    footer: seller.invoiceFooter,
    logo: logo ? { data: Buffer.from(logo.data), contentType: logo.contentType } : null,
  };
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** An invoice as its document shows it: dates in the customer's timezone, lines with their pricing detail. */
export async function invoiceDocument(client: Db, invoiceId: string): Promise<BillingDocument> {
  const invoice = await client.invoice.findUnique({
    where: { id: invoiceId },
    include: { customer: true, service: true, lines: { orderBy: { position: "asc" } }, taxes: { orderBy: { code: "asc" } }, payments: { select: { trigger: true, status: true, amountCents: true } },
      coupons: invoiceCouponsInclude },
  });
  if (!invoice) throw new DomainError("not_found", "invoice_not_found");
  const creditBalanceApplied = creditBalanceAppliedCents(invoice.payments);
  const tz = invoice.customer.timezone;
  const lastDay = new Date(invoice.periodEnd.getTime() - 1);
  return {
    kind: "invoice",
    number: invoice.number,
    status: invoice.status,
    shadow: invoice.shadow,
    issuingDate: day(invoice.issuingDate) ?? localDate(invoice.createdAt, tz),
    dueDate: day(invoice.paymentDueDate),
    periodStart: localDate(invoice.periodStart, tz),
    periodEnd: localDate(lastDay < invoice.periodStart ? invoice.periodStart : lastDay, tz),
    currency: invoice.currency,
    ...(await documentSeller(client, invoice.seller)),
    customer: customerParty(billedToOfInvoice(invoice)),
    serviceName: invoice.service.name,
    lines: invoice.lines.map((line) => {
      const details: string[] = [];
      if (line.kind === "usage_charge") {
        details.push(`Period ${formatPeriod(localDate(line.periodStart ?? invoice.periodStart, tz), localDate(new Date((line.periodEnd ?? invoice.periodEnd).getTime() - 1), tz))}`);
        details.push(...usagePricingLines(line));
      }
      return {
        description: line.description,
        quantity: line.kind === "subscription_fee" ? null : line.quantity.toString(),
        unitAmount: line.unitAmount?.toString() ?? null,
        amountCents: line.amountCents,
        details,
      };
    }),
    // The lines' sum: the stored subtotal is net of the progressive-billing credit and of coupons (taken in that order).
    subtotalCents: linesSubtotalCents(invoice),
    discounts: [
      ...(invoice.progressiveBillingCreditCents > BigInt(0) ? [{ description: "Usage already billed during the period (progressive billing)", amountCents: invoice.progressiveBillingCreditCents }] : []),
      ...invoice.coupons.map((c) => ({ description: `Coupon ${c.appliedCoupon.coupon.name} (${c.appliedCoupon.coupon.code})`, amountCents: c.amountCents })),
    ],
    taxes: invoice.taxes.map((t) => ({ name: t.name, ratePercent: t.rate.toString(), taxableAmountCents: t.taxableAmountCents, amountCents: t.amountCents, registrationNumber: t.registrationNumber })),
    taxNote: invoice.taxNote,
    creditsAppliedCents: invoice.creditsAppliedCents,
    totalCents: invoice.totalCents,
    creditBalanceAppliedCents: creditBalanceApplied,
    amountPaidCents: invoice.amountPaidCents - creditBalanceApplied,
    amountDueCents: invoice.status === "voided" ? BigInt(0) : invoice.totalCents - invoice.creditsAppliedCents - invoice.amountPaidCents,
    notes: invoice.status === "voided" ? ["This invoice was voided and is not payable."] : [],
  };
}

/** What a refund credit note's document says of its refund (its refund_status, withRefundStatus). */
const REFUND_NOTES = {
  pending: "To be refunded to your payment method.",
  succeeded: "Refunded to your payment method.",
  failed: "The refund to your payment method did not go through.",
} as const;

export async function creditNoteDocument(client: Db, creditNoteId: string): Promise<BillingDocument> {
  const found = await client.creditNote.findUnique({ where: { id: creditNoteId }, include: { customer: true, lines: true, invoice: { include: { service: true, taxes: true } } } });
  if (!found) throw new DomainError("not_found", "credit_note_not_found");
  const [note] = await withRefundStatus(client, [found]);
  return {
    kind: "credit_note",
    number: note.number,
    status: note.status === "voided" ? "voided" : "issued",
    shadow: false,
    issuingDate: localDate(note.issuedAt ?? note.createdAt, note.customer.timezone),
    dueDate: null,
    periodStart: null,
    periodEnd: null,
    currency: note.currency,
    ...(await documentSeller(client, note.seller)),
    customer: customerParty(billedToOfInvoice({ billedTo: note.billedTo, customer: note.customer })),
    serviceName: note.invoice.service.name,
    lines: note.lines.map((l) => ({ description: l.description, quantity: null, unitAmount: null, amountCents: l.amountCents, details: [] })),
    subtotalCents: note.subtotalCents,
    taxes: creditedTaxes(note.subtotalCents, note.invoice.taxes).map((t) => ({ name: t.name, ratePercent: t.rate.toString(), taxableAmountCents: note.subtotalCents, amountCents: t.amountCents, registrationNumber: t.registrationNumber })),
    taxNote: note.invoice.taxNote,
    creditsAppliedCents: BigInt(0),
    totalCents: note.totalCents,
    creditBalanceAppliedCents: BigInt(0),
    amountPaidCents: BigInt(0),
    amountDueCents: BigInt(0),
    relatedInvoiceNumber: note.invoice.number,
    reason: note.reason.replace(/_/g, " "),
    notes: [note.kind === "credit" ? "Credited to your account balance; it is applied to your next invoices." : REFUND_NOTES[note.refundStatus ?? "pending"]],
  };
}
