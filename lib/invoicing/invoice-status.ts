import { DomainError } from "@/lib/errors";
import type { Invoice, InvoicePaymentStatus, InvoiceStatus } from "@/lib/generated/prisma/client";

/**
 * The one owner of invoice status transitions:
 *   draft ──issue()──▶ finalized ──paid in full──▶ paid
 *                      finalized ◀──money taken back (dispute, reversed cheque)── paid
 *                      finalized ──void──▶ voided
 * Issuing (draft → finalized, or straight to paid when nothing is left to pay) is `issueInvoices`
 * (lib/invoicing/issue-invoice.ts), which applies `issuedStatus` set-based in SQL. Payments, disputes and offline
 * receipts change the amount paid through `afterPaidAmountChange`; a void goes through `voidTransition`.
 */
type Amounts = Pick<Invoice, "status" | "totalCents" | "creditsAppliedCents" | "amountPaidCents">;

const ZERO = BigInt(0);

/** Status of an invoice being issued: paid at once when credits cover it, else finalized. */
export function issuedStatus(totalCents: bigint, creditsAppliedCents: bigint): "paid" | "finalized" {
  return totalCents - creditsAppliedCents <= ZERO ? "paid" : "finalized";
}

export interface PaidAmountChange {
  data: { amountPaidCents: bigint; status?: InvoiceStatus; paidAt?: Date | null; paymentStatus?: InvoicePaymentStatus };
  /** It became paid with this change. */
  paidNow: boolean;
  /** It was paid and money was taken back: it is owed again. */
  reopened: boolean;
}

/** The invoice's new state once its amount paid becomes `amountPaidCents` (a payment, or money taken back). */
export function afterPaidAmountChange(invoice: Amounts, amountPaidCents: bigint, now: Date): PaidAmountChange {
  const due = invoice.totalCents - invoice.creditsAppliedCents - amountPaidCents;
  const paidNow = invoice.status === "finalized" && due <= ZERO;
  const reopened = invoice.status === "paid" && amountPaidCents < invoice.amountPaidCents;
  if (paidNow) return { data: { amountPaidCents, status: "paid", paidAt: now, paymentStatus: "succeeded" }, paidNow, reopened };
  if (reopened) return { data: { amountPaidCents, status: "finalized", paidAt: null, paymentStatus: "failed" }, paidNow, reopened };
  return { data: { amountPaidCents }, paidNow, reopened };
}

/** Voiding: only a finalised invoice with nothing paid; it keeps its number and owes nothing. */
export function voidTransition(invoice: Pick<Invoice, "status" | "amountPaidCents">, now: Date) {
  if (invoice.status !== "finalized" || invoice.amountPaidCents > ZERO) {
    throw new DomainError("not_allowed", "not_voidable", undefined, "Only a finalised invoice with nothing paid can be voided");
  }
  return { status: "voided" as const, voidedAt: now, creditsAppliedCents: ZERO, prepaidCreditCents: ZERO };
}
