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
  | "no_payment_method";

export interface ChargeContext {
  invoice: Pick<Invoice, "status" | "shadow" | "totalCents" | "creditsAppliedCents" | "amountPaidCents">;
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
  if (amountDueCents(invoice) <= BigInt(0)) return "nothing_due";
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
  no_payment_method: "The customer has no saved card",
};
