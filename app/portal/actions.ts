"use server";

import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import { headers } from "next/headers";
import { z } from "zod";
import { customerAction, customerInvoiceAction, type Refusal } from "@/lib/auth/staff-action";
import { refusedForm } from "@/lib/console/forms/field-messages";
import { formValues, type FormState } from "@/lib/console/forms/form-state";
import { updateCustomerDetails } from "@/lib/customers/customer-details";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { chargeInvoice } from "@/lib/payments/charge-invoice";
import { removePaymentMethod, setDefaultPaymentMethod, startCardSetup } from "@/lib/payments/payment-methods";
import { PaymentsNotConfiguredError } from "@/lib/payments/stripe-client";
import { publicBaseUrl } from "@/lib/portal/access-token";
import { billingDetailsForm } from "@/lib/portal/billing-details-form";

/** The outcome of a portal button, shown next to it. */
export interface PortalActionState {
  status: "idle" | "done" | "refused";
  message: string | null;
  /** Why the action refused the caller before running, when it did. */
  code?: string;
}

// Every portal action goes through customerAction: the customer comes from the portal session only, never from the
// request, and each domain call below is scoped by it (another customer's invoice or card is "not found").

const refusedPortal = (refusal: Refusal): PortalActionState => ({ status: "refused", message: refusal.message, code: refusal.code });
const objectId = z.uuid();

async function portalChange(run: () => Promise<string>): Promise<PortalActionState> {
  try {
    const message = await run();
    revalidatePath("/portal", "layout");
    return { status: "done", message };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof DomainError || error instanceof PaymentsNotConfiguredError) return { status: "refused", message: error.message };
    console.error("Portal action failed", error);
    return { status: "refused", message: "Something went wrong and nothing was changed. Try again." };
  }
}

const notFound = (what: string) => new DomainError("not_found", `${what}_not_found`, undefined, `This ${what.replace(/_/g, " ")} was not found.`);

/**
 * "Pay" in the portal: an on-session charge of the customer's default card (customer-scoped: chargeInvoice refuses
 * another customer's invoice). A card whose bank wants 3D Secure sends the customer to authenticate; Stripe sends them
 * back to /portal/invoices/<id>/payment-return.
 */
export const payInvoice = customerInvoiceAction(async (customerId, invoiceId: string, _state: PortalActionState) =>
  portalChange(async () => {
    if (!objectId.safeParse(invoiceId).success) throw notFound("invoice");
    const returnUrl = `${await requestOrigin()}/portal/invoices/${invoiceId}/payment-return`;
    const result = await chargeInvoice(db(), invoiceId, { trigger: "customer", customerId, onSession: { returnUrl } });
    if (result.status === "succeeded") redirect(`/portal/invoices/${invoiceId}?payment=received`);
    if (result.status === "requires_action" && result.redirectUrl) redirect(result.redirectUrl);
    if (result.status === "processing") return "Your payment is being processed.";
    if (result.status === "canceled" || result.status === "action_required") {
      throw new DomainError("not_allowed", "payment_not_completed", undefined, "The payment was not completed and nothing was charged. Try again.");
    }
    throw new DomainError("not_allowed", "payment_failed", undefined, `Your card was declined: ${result.payment.failureMessage ?? "try another card"}`);
  }), refusedPortal);

export const setDefaultCard = customerAction(async (customerId, paymentMethodId: string, _state: PortalActionState) =>
  portalChange(async () => {
    if (!objectId.safeParse(paymentMethodId).success) throw notFound("payment_method");
    await setDefaultPaymentMethod(db(), customerId, paymentMethodId);
    return "Default card changed.";
  }), refusedPortal);

export const removeCard = customerAction(async (customerId, paymentMethodId: string, _state: PortalActionState) =>
  portalChange(async () => {
    if (!objectId.safeParse(paymentMethodId).success) throw notFound("payment_method");
    await removePaymentMethod(db(), customerId, paymentMethodId);
    return "Card removed.";
  }), refusedPortal);

/** Sends the customer to Stripe's page to enter a card; Stripe sends them back to /portal/payment-methods/complete. */
export const addCard = customerAction(async (customerId, _state: PortalActionState): Promise<PortalActionState> => {
  let url: string;
  try {
    const origin = await requestOrigin();
    url = await startCardSetup(db(), customerId, {
      successUrl: `${origin}/portal/payment-methods/complete?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${origin}/portal/payment-methods`,
    });
  } catch (error) {
    if (error instanceof DomainError || error instanceof PaymentsNotConfiguredError) return { status: "refused", message: error.message };
    console.error("Card setup failed", error);
    return { status: "refused", message: "We could not reach our payment provider. Try again in a moment." };
  }
  redirect(url);
}, refusedPortal);

async function requestOrigin(): Promise<string> {
  const h = await headers();
  return publicBaseUrl(`${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`);
}

export const saveBillingDetails = customerAction(async (customerId, _state: FormState, formData: FormData): Promise<FormState> => {
  const values = formData instanceof FormData ? formValues(formData) : {};
  try {
    const fields = billingDetailsForm.parse(values);
    await updateCustomerDetails(db(), customerId, fields, { type: "customer", id: customerId });
    revalidatePath("/portal", "layout");
    return { status: "saved", message: "Billing details saved. New invoices will use them.", fieldErrors: {}, values: {} };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof z.ZodError || error instanceof DomainError) return refusedForm(values, error);
    console.error("Billing details not saved", error);
    return { status: "refused", message: "Something went wrong and nothing was saved. Try again.", fieldErrors: {}, values };
  }
}, (refusal): FormState => ({ status: "refused", message: refusal.message, fieldErrors: {}, values: {}, code: refusal.code }));
