import { NextResponse } from "next/server";
import { db } from "@/lib/db/prisma";
import { handleStripeEvent } from "@/lib/payments/stripe-events";
import { stripe, stripeSettings } from "@/lib/payments/stripe-client";

// Stripe's events about payments, refunds and saved cards. The signature (Stripe-Signature, checked over the raw body
// with the endpoint secret) is the only authentication; anything unsigned or stale is refused with 400.
export async function POST(request: Request) {
  const settings = stripeSettings();
  const client = stripe();
  if (!settings?.webhookSecret || !client) {
    return NextResponse.json({ error: "payments_not_configured", message: "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set" }, { status: 503 });
  }
  const payload = await request.text();
  const signature = request.headers.get("stripe-signature");
  if (!signature) return NextResponse.json({ error: "missing_signature", message: "Stripe-Signature header is missing" }, { status: 400 });
  let event;
  try {
    event = client.webhooks.constructEvent(payload, signature, settings.webhookSecret);
  } catch (error) {
    return NextResponse.json({ error: "invalid_signature", message: (error as Error).message }, { status: 400 });
  }
  try {
    const outcome = await handleStripeEvent(db(), event);
    return NextResponse.json({ received: true, outcome });
  } catch (error) {
    console.error(`Stripe event ${event.id} (${event.type}) failed:`, error);
    return NextResponse.json({ error: "handler_failed", message: "The event could not be handled now; Stripe will send it again" }, { status: 503 });
  }
}
