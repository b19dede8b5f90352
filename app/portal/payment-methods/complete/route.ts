import { NextResponse } from "next/server";
import { currentCustomer } from "@/lib/auth/customer-session";
import { db } from "@/lib/db/prisma";
import { completeCardSetup } from "@/lib/payments/payment-methods";
import { publicBaseUrl } from "@/lib/portal/access-token";

// Where Stripe's card page sends the customer back: the card is recorded now (Stripe's webhook may have done it
// already; both paths are idempotent) and the customer lands on their cards.
export async function GET(request: Request) {
  const url = new URL(request.url);
  const base = publicBaseUrl(request);
  const session = await currentCustomer();
  if (!session) return NextResponse.redirect(`${base}/portal/sign-in`, 303);
  const checkoutSessionId = url.searchParams.get("session_id");
  let outcome = "card_saved";
  try {
    if (!checkoutSessionId || !(await completeCardSetup(db(), session.customerId, checkoutSessionId))) outcome = "card_not_saved";
  } catch (error) {
    console.error("Completing card setup failed", error);
    outcome = "card_not_saved";
  }
  return NextResponse.redirect(`${base}/portal/payment-methods?outcome=${outcome}`, 303);
}
