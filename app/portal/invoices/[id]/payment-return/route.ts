import { NextResponse } from "next/server";
import { currentCustomer } from "@/lib/auth/customer-session";
import { db } from "@/lib/db/prisma";
import { completeOnSessionPayment } from "@/lib/payments/charge-invoice";
import { publicBaseUrl } from "@/lib/portal/access-token";

// Where Stripe sends a customer back after authenticating an on-session payment (3D Secure): the payment is settled
// from Stripe's intent and the customer lands on the invoice, told how it went.
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const url = new URL(request.url);
  const base = publicBaseUrl(request);
  const { id } = await params;
  const session = await currentCustomer({ invoiceId: id });
  if (!session) return NextResponse.redirect(`${base}/portal/sign-in`, 303);
  const intentId = url.searchParams.get("payment_intent");
  let outcome = "unknown";
  try {
    if (intentId && /^[0-9a-f-]{36}$/i.test(id)) outcome = await completeOnSessionPayment(db(), session.customerId, id, intentId);
  } catch (error) {
    console.error("Completing an on-session payment failed", error);
  }
  const shown = outcome === "succeeded" ? "received" : outcome === "failed" || outcome === "canceled" ? "not_completed" : "processing";
  return NextResponse.redirect(`${base}/portal/invoices/${id}?payment=${shown}`, 303);
}
