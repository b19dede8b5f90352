"use server";

import { revalidatePath } from "next/cache";
import { redirect, unstable_rethrow } from "next/navigation";
import { headers } from "next/headers";
import { z } from "zod";
import { currentCustomer } from "@/lib/auth/customer-session";
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
}

async function signedInCustomer(): Promise<string> {
  const session = await currentCustomer();
  if (!session) redirect("/portal/sign-in");
  return session.customerId;
}

async function portalAction(run: (customerId: string) => Promise<string>): Promise<PortalActionState> {
  const customerId = await signedInCustomer();
  try {
    const message = await run(customerId);
    revalidatePath("/portal", "layout");
    return { status: "done", message };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof DomainError || error instanceof PaymentsNotConfiguredError) return { status: "refused", message: error.message };
    console.error("Portal action failed", error);
    return { status: "refused", message: "Something went wrong and nothing was changed. Try again." };
  }
}

export async function payInvoice(invoiceId: string, _state: PortalActionState): Promise<PortalActionState> {
  return portalAction(async (customerId) => {
    const result = await chargeInvoice(db(), invoiceId, { trigger: "customer", customerId });
    if (result.status === "succeeded") redirect(`/portal/invoices/${invoiceId}?payment=received`);
    if (result.status === "processing") return "Your payment is being processed.";
    throw new DomainError("not_allowed", "payment_failed", undefined, `Your card was declined: ${result.payment.failureMessage ?? "try another card"}`);
  });
}

export async function setDefaultCard(paymentMethodId: string, _state: PortalActionState): Promise<PortalActionState> {
  return portalAction(async (customerId) => {
    await setDefaultPaymentMethod(db(), customerId, paymentMethodId);
    return "Default card changed.";
  });
}

export async function removeCard(paymentMethodId: string, _state: PortalActionState): Promise<PortalActionState> {
  return portalAction(async (customerId) => {
    await removePaymentMethod(db(), customerId, paymentMethodId);
    return "Card removed.";
  });
}

/** Sends the customer to Stripe's page to enter a card; Stripe sends them back to /portal/payment-methods/complete. */
export async function addCard(_state: PortalActionState): Promise<PortalActionState> {
  const customerId = await signedInCustomer();
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
}

async function requestOrigin(): Promise<string> {
  const h = await headers();
  return publicBaseUrl(`${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`);
}

export async function saveBillingDetails(_state: FormState, formData: FormData): Promise<FormState> {
  const customerId = await signedInCustomer();
  const values = formValues(formData);
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
}
