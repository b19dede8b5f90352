import type { Db } from "@/lib/db/prisma";
import { localDate } from "@/lib/billing/calendar-date";
import { DomainError, invalidField } from "@/lib/errors";
import type { Customer, Invoice, Prisma, Wallet, WalletTransaction } from "@/lib/generated/prisma/client";
import { centsToCredits, creditsToCents } from "./credits";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";
import { writeDraftInvoice, type ComposedLine } from "@/lib/invoicing/draft-invoices";
import { issueInvoices } from "@/lib/invoicing/issue-invoice";
import { recordWalletEvents } from "./wallet-events";

/**
 * Prepaid credit (Lago's wallets). A customer holds wallets with one service; each credit is worth `rateAmount` in the
 * wallet's currency and the balance is kept in cents, the authority for consumption.
 *
 * - Granted credits are free and available at once.
 * - Paid credits are bought on a `credit` invoice (one `prepaid_credit` line, no tax: a stored-value prepayment is not a
 *   taxable supply when it is sold; GST/HST/QST are charged on the usage invoice the credits pay, at its place of supply
 *   and date). The invoice is collected like any other (card by the collection pass, or paid offline). With
 *   `invoice_requires_successful_payment` (our default) the credits become available when that invoice is paid;
 *   without it, at once.
 * - Consumption happens when a subscription invoice is issued (never on drafts), after tax, after the customer's credit
 *   notes and credit balance (lib/invoicing/issue-invoice.ts calls `consumeWallets`), wallets in priority order.
 *   Wallet rows are locked, so two invoices issued at once never spend the same credit, and a balance never goes
 *   below zero (a CHECK constraint stands behind the code).
 * - Voided credits and a wallet's termination (by the API, staff or its expiration_at) are outbound `voided`
 *   transactions; voiding an invoice gives its consumed credits back.
 * - `wallet.depleted_ongoing_balance` goes out once each time the ongoing balance (balance − usage of the current
 *   periods, with tax) reaches zero; a top-up that brings it back above zero re-arms it.
 */
const ZERO = BigInt(0);

export interface WalletInput {
  name?: string | null;
  code?: string | null;
  priority?: number;
  rateAmount: string;
  currency: string;
  expirationAt?: Date | null;
  invoiceRequiresSuccessfulPayment?: boolean;
}

export interface TopUp {
  paidCredits?: string | null;
  grantedCredits?: string | null;
  voidedCredits?: string | null;
  name?: string | null;
  invoiceRequiresSuccessfulPayment?: boolean;
}

export type Actor = { type: "system" | "staff" | "service"; id?: string | null };

export interface TopUpResult {
  transactions: WalletTransaction[];
  /** The credit invoice of paid credits, issued and waiting to be collected. */
  creditInvoiceId: string | null;
}

async function lockWallet(tx: Prisma.TransactionClient, walletId: string): Promise<Wallet> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Wallet" WHERE id = ${walletId}::uuid FOR UPDATE`;
  if (!rows.length) throw new DomainError("not_found", "wallet_not_found");
  return tx.wallet.findUniqueOrThrow({ where: { id: walletId } });
}

/** Creates a wallet for a customer of the service, with its first top-up if credits are given (Lago's create). */
export async function createWallet(tx: Prisma.TransactionClient, serviceId: string, customer: Customer, input: WalletInput, firstTopUp: TopUp, actor: Actor, now = new Date()) {
  if (input.currency !== customer.currency) throw invalidField("currency", "currencies_does_not_match", `The customer is billed in ${customer.currency}`);
  if (input.expirationAt && input.expirationAt <= now) throw invalidField("expiration_at", "invalid_date", "The expiration date must be in the future");
  const wallet = await tx.wallet.create({
    data: {
      customerId: customer.id, serviceId, name: input.name ?? null, code: input.code ?? null, priority: input.priority ?? 50,
      currency: input.currency, rateAmount: input.rateAmount, expirationAt: input.expirationAt ?? null,
      invoiceRequiresSuccessfulPayment: input.invoiceRequiresSuccessfulPayment ?? true,
    },
  });
  await audit(tx, actor, "wallet.created", wallet.id, { rateAmount: input.rateAmount, currency: input.currency });
  await recordWalletEvents(tx, [wallet.id], "wallet.created");
  const result = await topUpWallet(tx, wallet.id, firstTopUp, actor, now);
  return { wallet: await tx.wallet.findUniqueOrThrow({ where: { id: wallet.id } }), ...result };
}

/** Changes what Lago's PUT changes: name, code, priority, expiration, the payment rule of later top-ups. */
export async function updateWallet(tx: Prisma.TransactionClient, walletId: string, changes: Partial<Omit<WalletInput, "rateAmount" | "currency">>, actor: Actor, now = new Date()) {
  const wallet = await lockWallet(tx, walletId);
  if (wallet.status !== "active") throw new DomainError("not_allowed", "wallet_not_active", undefined, "A terminated wallet cannot be changed");
  if (changes.expirationAt && changes.expirationAt <= now) throw invalidField("expiration_at", "invalid_date", "The expiration date must be in the future");
  const updated = await tx.wallet.update({
    where: { id: walletId },
    data: {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.code !== undefined ? { code: changes.code } : {}),
      ...(changes.priority !== undefined ? { priority: changes.priority } : {}),
      ...(changes.expirationAt !== undefined ? { expirationAt: changes.expirationAt } : {}),
      ...(changes.invoiceRequiresSuccessfulPayment !== undefined ? { invoiceRequiresSuccessfulPayment: changes.invoiceRequiresSuccessfulPayment } : {}),
    },
  });
  await audit(tx, actor, "wallet.updated", walletId, { changes: Object.keys(changes) });
  await recordWalletEvents(tx, [walletId], "wallet.updated");
  return updated;
}

/**
 * One top-up request (Lago's wallet_transaction create): granted credits are settled at once; paid credits are billed
 * on a credit invoice and settle when it is paid (or at once without invoice_requires_successful_payment); voided
 * credits come off the balance (at most what is there: more is refused).
 */
export async function topUpWallet(tx: Prisma.TransactionClient, walletId: string, topUp: TopUp, actor: Actor, now = new Date()): Promise<TopUpResult> {
  const wallet = await lockWallet(tx, walletId);
  const paid = topUp.paidCredits ? creditsToCents(topUp.paidCredits, wallet.rateAmount.toString(), "paid_credits") : ZERO;
  const granted = topUp.grantedCredits ? creditsToCents(topUp.grantedCredits, wallet.rateAmount.toString(), "granted_credits") : ZERO;
  const voided = topUp.voidedCredits ? creditsToCents(topUp.voidedCredits, wallet.rateAmount.toString(), "voided_credits") : ZERO;
  if (paid === ZERO && granted === ZERO && voided === ZERO) return { transactions: [], creditInvoiceId: null };
  if (wallet.status !== "active") throw new DomainError("not_allowed", "wallet_not_active", undefined, "A terminated wallet takes no more transactions");
  if (voided > wallet.balanceCents + granted) throw invalidField("voided_credits", "insufficient_credits", "Cannot void more credits than the wallet holds");
  const name = topUp.name ?? null;
  const credits = (cents: bigint) => centsToCredits(cents, wallet.rateAmount.toString());
  const transactions: WalletTransaction[] = [];
  let creditInvoiceId: string | null = null;

  if (paid > ZERO) {
    const requiresPayment = topUp.invoiceRequiresSuccessfulPayment ?? wallet.invoiceRequiresSuccessfulPayment;
    const transaction = await tx.walletTransaction.create({
      data: { walletId, transactionType: "inbound", kind: "purchased", status: "pending", amountCents: paid, creditAmount: credits(paid), name },
    });
    await tx.wallet.update({ where: { id: walletId }, data: { pendingCents: { increment: paid } } });
    creditInvoiceId = await issueCreditInvoice(tx, wallet, transaction, now);
    const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: creditInvoiceId } });
    // Paid at issue (the customer's credit balance covered it) or not waiting for the payment: available now.
    if (invoice.status === "paid" || !requiresPayment) await settlePurchase(tx, transaction.id, now);
    transactions.push(await tx.walletTransaction.findUniqueOrThrow({ where: { id: transaction.id } }));
  }
  if (granted > ZERO) {
    const transaction = await tx.walletTransaction.create({
      data: { walletId, transactionType: "inbound", kind: "granted", status: "settled", amountCents: granted, creditAmount: credits(granted), name, settledAt: now },
    });
    await tx.wallet.update({ where: { id: walletId }, data: { balanceCents: { increment: granted }, depletedAlertedAt: null } });
    transactions.push(transaction);
  }
  if (voided > ZERO) {
    transactions.push(await voidCredits(tx, walletId, voided, name, now));
  }
  await audit(tx, actor, "wallet.top_up", walletId, { paidCents: paid.toString(), grantedCents: granted.toString(), voidedCents: voided.toString(), creditInvoiceId });
  await recordWalletEvents(tx, [walletId], "wallet.updated");
  return { transactions, creditInvoiceId };
}

async function voidCredits(tx: Prisma.TransactionClient, walletId: string, cents: bigint, name: string | null, now: Date): Promise<WalletTransaction> {
  const wallet = await tx.wallet.findUniqueOrThrow({ where: { id: walletId } });
  const transaction = await tx.walletTransaction.create({
    data: { walletId, transactionType: "outbound", kind: "voided", status: "settled", amountCents: cents, creditAmount: centsToCredits(cents, wallet.rateAmount.toString()), name, settledAt: now },
  });
  await tx.wallet.update({ where: { id: walletId }, data: { balanceCents: { decrement: cents } } });
  return transaction;
}

/** The credit invoice of a purchase: one untaxed `prepaid_credit` line, issued at once (numbered, due, collectable). */
async function issueCreditInvoice(tx: Prisma.TransactionClient, wallet: Wallet, transaction: WalletTransaction, now: Date): Promise<string> {
  const customer = await tx.customer.findUniqueOrThrow({ where: { id: wallet.customerId } });
  const description = `Prepaid credits${wallet.name ? ` — ${wallet.name}` : ""} (${transaction.creditAmount.toString()} credits)`;
  const composition = composeInvoice<ComposedLine>({
    lines: [{
      subscriptionId: null, chargeId: null, kind: "prepaid_credit", description, quantity: transaction.creditAmount.toString(), includedQuantity: "0",
      unitAmount: wallet.rateAmount.toString(), amountCents: transaction.amountCents, periodStart: now, periodEnd: now,
      details: { wallet_id: wallet.id, wallet_transaction_id: transaction.id },
    }],
    taxes: () => ({ lines: [], totalCents: ZERO, note: "Prepaid credit: a stored-value prepayment, not taxed when bought; taxes are charged on the invoices it pays." }),
  });
  const invoice = await writeDraftInvoice(tx, {
    customerId: wallet.customerId, serviceId: wallet.serviceId, invoiceType: "credit", currency: wallet.currency,
    periodStart: now, periodEnd: now, issuingDate: localDate(now, customer.timezone),
  }, composition);
  await tx.walletTransaction.update({ where: { id: transaction.id }, data: { invoiceId: invoice.id } });
  await issueInvoices(tx, [invoice.id], now);
  return invoice.id;
}

/** A pending purchase becomes available: its credits join the balance. Settling twice changes nothing. */
async function settlePurchase(tx: Prisma.TransactionClient, transactionId: string, now: Date): Promise<boolean> {
  const settled = await tx.walletTransaction.updateMany({ where: { id: transactionId, status: "pending" }, data: { status: "settled", settledAt: now } });
  if (settled.count === 0) return false;
  const transaction = await tx.walletTransaction.findUniqueOrThrow({ where: { id: transactionId } });
  await tx.wallet.update({
    where: { id: transaction.walletId },
    data: { balanceCents: { increment: transaction.amountCents }, pendingCents: { decrement: transaction.amountCents }, depletedAlertedAt: null },
  });
  return true;
}

/**
 * Called when an invoice becomes paid (card, offline payment, credit balance): a credit invoice's pending purchase is
 * settled and its credits become available. Any other invoice: nothing.
 */
export async function onInvoicePaid(tx: Prisma.TransactionClient, invoice: Pick<Invoice, "id" | "invoiceType">, now = new Date()): Promise<void> {
  if (invoice.invoiceType !== "credit") return;
  const pending = await tx.walletTransaction.findMany({ where: { invoiceId: invoice.id, kind: "purchased", status: "pending" } });
  for (const transaction of pending) {
    await lockWallet(tx, transaction.walletId);
    if (await settlePurchase(tx, transaction.id, now)) await recordWalletEvents(tx, [transaction.walletId], "wallet.updated");
  }
}

/** Terminates a wallet (Lago's DELETE, staff, or its expiration): what is left is voided by an outbound transaction. */
export async function terminateWallet(tx: Prisma.TransactionClient, walletId: string, actor: Actor, now = new Date(), reason: "terminated" | "expired" = "terminated"): Promise<Wallet> {
  const wallet = await lockWallet(tx, walletId);
  if (wallet.status !== "active") return wallet;
  if (wallet.balanceCents > ZERO) await voidCredits(tx, walletId, wallet.balanceCents, reason === "expired" ? "Wallet expired" : "Wallet terminated", now);
  const terminated = await tx.wallet.update({ where: { id: walletId }, data: { status: "terminated", terminatedAt: now } });
  await audit(tx, actor, `wallet.${reason}`, walletId, { voidedCents: wallet.balanceCents.toString() });
  await recordWalletEvents(tx, [walletId], "wallet.terminated");
  return terminated;
}

/** The wallet job: terminates every wallet whose expiration_at has come (each in its own transaction). */
export async function expireWallets(client: Db, now = new Date()): Promise<number> {
  const due = await client.wallet.findMany({ where: { status: "active", expirationAt: { lte: now } }, select: { id: true }, take: 1000 });
  let expired = 0;
  for (const { id } of due) {
    await client.$transaction(async (tx) => {
      const wallet = await lockWallet(tx, id);
      // Read under the lock: a staff change of the date, or a second runner, may have got there first.
      if (wallet.status !== "active" || !wallet.expirationAt || wallet.expirationAt > now) return;
      await terminateWallet(tx, id, { type: "system" }, now, "expired");
      expired += 1;
    });
  }
  return expired;
}

async function audit(tx: Prisma.TransactionClient, actor: Actor, action: string, walletId: string, data: Record<string, unknown>) {
  await tx.auditLog.create({ data: { actorType: actor.type, actorId: actor.id ?? null, action, entityType: "Wallet", entityId: walletId, data: data as Prisma.InputJsonValue } });
}
