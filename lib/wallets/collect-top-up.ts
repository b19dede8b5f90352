import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { chargeInvoice } from "@/lib/payments/charge-invoice";
import { stripe } from "@/lib/payments/stripe-client";

/**
 * Collects a paid top-up's credit invoice right away when the customer has a default card (as Lago charges the
 * provider at once), so the credits are available within the request. Without a card, or if the charge cannot be made
 * now, the invoice stays open like any other: the collection pass, dunning, the portal or an offline payment settle it,
 * and the credits follow its payment. Returns the charge's outcome, or null when none was attempted.
 */
export async function collectCreditInvoice(client: Db, invoiceId: string): Promise<string | null> {
  if (!stripe()) return null;
  const invoice = await client.invoice.findUnique({ where: { id: invoiceId }, select: { status: true, customerId: true } });
  if (!invoice || invoice.status !== "finalized") return null;
  if (!(await client.paymentMethod.count({ where: { customerId: invoice.customerId, isDefault: true } }))) return null;
  try {
    return (await chargeInvoice(client, invoiceId, { trigger: "automatic" })).status;
  } catch (error) {
    // Not chargeable by card (below the card minimum, a charge already in flight): left to the other ways of paying.
    if (error instanceof DomainError) return null;
    throw error;
  }
}
