import type { Invoice, PaymentMethod, Service } from "@/lib/generated/prisma/client";

/** What is still owed on an invoice: its total less credits applied and payments received. */
export function amountDueCents(invoice: Pick<Invoice, "totalCents" | "creditsAppliedCents" | "amountPaidCents" | "status">): bigint {
  if (invoice.status === "voided" || invoice.status === "draft") return BigInt(0);
  const due = invoice.totalCents - invoice.creditsAppliedCents - invoice.amountPaidCents;
  return due > BigInt(0) ? due : BigInt(0);
}

export type NotChargeableReason =
  | "invoice_not_finalized"
  | "invoice_already_paid"
  | "nothing_due"
  | "shadow_invoice"
  | "shadow_subscription"
  | "service_in_shadow_mode"
  | "below_card_minimum"
  | "above_card_maximum"
  | "no_payment_method";

/**
 * Stripe's limits on one card charge, in minor units (two-decimal currencies only: see lib/api/schemas/common.ts).
 * Below the minimum Stripe answers amount_too_small, above the maximum amount_too_large. An invoice whose amount due
 * is outside them is never charged by card and never dunned: it stays open for staff to settle (credit, void or a
 * payment received by other means) — see README "Payments".
 */
export const CARD_CHARGE_MAXIMUM_MINOR = BigInt(99_999_999);
const CARD_CHARGE_MINIMUM_MINOR: Record<string, bigint> = { GBP: BigInt(30) };
export const cardChargeMinimum = (currency: string): bigint => CARD_CHARGE_MINIMUM_MINOR[currency.toUpperCase()] ?? BigInt(50);

export interface ChargeContext {
  invoice: Pick<Invoice, "status" | "shadow" | "totalCents" | "creditsAppliedCents" | "amountPaidCents" | "currency">;
  service: Pick<Service, "mode">;
  /** Whether any subscription billed on the invoice is a shadow (dual-run) subscription. */
  billsShadowSubscription: boolean;
  defaultPaymentMethod: Pick<PaymentMethod, "providerPaymentMethodId"> | null;
}

/**
 * Why an invoice may not be charged, or null when it may. Shadow billing (dual-run imports, services still in shadow
 * mode) is never charged whatever else is true; neither is a customer without a saved card — we never invent one.
 */
export function notChargeableReason(context: ChargeContext): NotChargeableReason | null {
  const { invoice } = context;
  if (invoice.shadow) return "shadow_invoice";
  if (context.billsShadowSubscription) return "shadow_subscription";
  if (context.service.mode !== "live") return "service_in_shadow_mode";
  if (invoice.status === "paid") return "invoice_already_paid";
  if (invoice.status !== "finalized") return "invoice_not_finalized";
  const due = amountDueCents(invoice);
  if (due <= BigInt(0)) return "nothing_due";
  if (due < cardChargeMinimum(invoice.currency)) return "below_card_minimum";
  if (due > CARD_CHARGE_MAXIMUM_MINOR) return "above_card_maximum";
  if (!context.defaultPaymentMethod) return "no_payment_method";
  return null;
}

export const NOT_CHARGEABLE_MESSAGES: Record<NotChargeableReason, string> = {
  invoice_not_finalized: "Only a finalised invoice can be charged",
  invoice_already_paid: "The invoice is already paid",
  nothing_due: "Nothing is due on this invoice",
  shadow_invoice: "Shadow invoices are never charged",
  shadow_subscription: "The invoice bills a shadow (dual-run) subscription, which is never charged",
  service_in_shadow_mode: "The service is in shadow mode; its invoices are never charged",
  below_card_minimum: "The amount due is below the smallest amount a card can be charged; it is not collected by card",
  above_card_maximum: "The amount due is above the largest amount a card can be charged; it is not collected by card",
  no_payment_method: "The customer has no saved card",
};
