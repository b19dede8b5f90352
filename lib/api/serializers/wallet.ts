import type { Wallet, WalletTransaction } from "@/lib/generated/prisma/client";
import { centsToCredits } from "@/lib/wallets/credits";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Lago's wallet object. Balances are the wallet's cents at its rate; the ongoing balance is the balance less the usage
 * of the customer's current periods not yet invoiced (with tax), as Lago computes it.
 */
export function serializeWallet(wallet: Wallet, externalCustomerId: string, ongoingUsageCents = BigInt(0), lastConsumedAt: Date | null = null) {
  const rate = wallet.rateAmount.toString();
  const ongoing = wallet.balanceCents - ongoingUsageCents;
  return {
    lago_id: wallet.id,
    lago_customer_id: wallet.customerId,
    external_customer_id: externalCustomerId,
    status: wallet.status,
    currency: wallet.currency,
    name: wallet.name,
    code: wallet.code,
    priority: wallet.priority,
    rate_amount: wallet.rateAmount.toString(),
    credits_balance: centsToCredits(wallet.balanceCents, rate),
    balance_cents: wallet.balanceCents,
    consumed_credits: centsToCredits(wallet.consumedCents, rate),
    consumed_amount_cents: wallet.consumedCents,
    ongoing_balance_cents: ongoing,
    ongoing_usage_balance_cents: ongoingUsageCents,
    credits_ongoing_balance: ongoing < BigInt(0) ? `-${centsToCredits(-ongoing, rate)}` : centsToCredits(ongoing, rate),
    credits_ongoing_usage_balance: centsToCredits(ongoingUsageCents, rate),
    created_at: wallet.createdAt.toISOString(),
    expiration_at: iso(wallet.expirationAt),
    last_balance_sync_at: wallet.updatedAt.toISOString(),
    last_consumed_credit_at: iso(lastConsumedAt),
    terminated_at: iso(wallet.terminatedAt),
    invoice_requires_successful_payment: wallet.invoiceRequiresSuccessfulPayment,
    paid_top_up_min_amount_cents: null,
    paid_top_up_max_amount_cents: null,
    recurring_transaction_rules: [],
    applies_to: { fee_types: [], billable_metric_codes: [] },
  };
}

/** Lago's wallet_transaction object (amount in the currency, credit_amount in credits, both decimal strings). */
export function serializeWalletTransaction(transaction: WalletTransaction, wallet: Pick<Wallet, "priority" | "invoiceRequiresSuccessfulPayment">) {
  return {
    lago_id: transaction.id,
    lago_wallet_id: transaction.walletId,
    lago_invoice_id: transaction.invoiceId,
    lago_credit_note_id: null,
    lago_voided_invoice_id: null,
    status: transaction.status,
    source: "manual",
    transaction_status: transaction.kind,
    transaction_type: transaction.transactionType,
    amount: (Number(transaction.amountCents) / 100).toFixed(2),
    credit_amount: transaction.creditAmount.toString(),
    invoice_requires_successful_payment: wallet.invoiceRequiresSuccessfulPayment,
    metadata: [],
    remaining_amount_cents: null,
    remaining_credit_amount: null,
    priority: wallet.priority,
    settled_at: iso(transaction.settledAt),
    failed_at: iso(transaction.failedAt),
    created_at: transaction.createdAt.toISOString(),
    name: transaction.name,
  };
}
