import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import { chargeInvoice } from "@/lib/payments/charge-invoice";
import { PaymentsNotConfiguredError, stripe } from "@/lib/payments/stripe-client";

/** What a console button answers: shown beside it. */
export interface CommandResult {
  ok: boolean;
  message: string;
  /** A charge was sent to Stripe (whatever its outcome): worth an audit entry. */
  attempted?: boolean;
}

export const CARD_PAYMENTS_OFF = "Card payments are off (STRIPE_SECRET_KEY is not set): no card can be charged. Record the payment another way.";

/** A refusal the staff member can act on, as text; anything else is not expected and is thrown. */
export function commandFailure(error: unknown): CommandResult {
  if (error instanceof PaymentsNotConfiguredError) return { ok: false, message: CARD_PAYMENTS_OFF };
  if (error instanceof DomainError) return { ok: false, message: error.message === error.code ? error.code.replace(/_/g, " ") : error.message };
  throw error;
}

/** "Charge card now": charges the amount due to the default card and says what happened, or why nothing was charged. */
export async function chargeInvoiceForStaff(client: Db, invoiceId: string): Promise<CommandResult> {
  if (!stripe()) return { ok: false, message: CARD_PAYMENTS_OFF };
  try {
    const result = await chargeInvoice(client, invoiceId, { trigger: "staff" });
    if (result.status === "succeeded") return { ok: true, attempted: true, message: `Charged ${formatMoney(result.payment.amountCents, result.payment.currency)}: the invoice is paid.` };
    if (result.status === "processing") return { ok: true, attempted: true, message: "The charge is processing; Stripe will confirm it." };
    if (result.status === "action_required") return { ok: false, attempted: true, message: "The card's bank asks the customer to authenticate this payment: they were e-mailed a link to pay, and dunning waits for them." };
    if (result.status === "canceled") return { ok: false, attempted: true, message: `Nothing was charged: ${result.payment.failureMessage ?? "the payment was cancelled"}.` };
    return { ok: false, attempted: true, message: `The card was declined: ${result.payment.failureMessage ?? "no reason given"}.` };
  } catch (error) {
    return commandFailure(error);
  }
}
