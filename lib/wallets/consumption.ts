import { uuidArray } from "@/lib/db/sql";
import { Prisma, type Invoice } from "@/lib/generated/prisma/client";
import type { TextRowReader } from "@/lib/db/transaction-connection";
import { DomainError } from "@/lib/errors";
import { amountDueCents } from "@/lib/payments/chargeability";
import { centsToCredits } from "./credits";
import { recordWalletEvents } from "./wallet-events";

/**
 * Post-tax settlement of an invoice being issued from the customer's prepaid credit (see lib/wallets/wallets.ts), and
 * its undoing when the invoice is voided. Called by issueInvoices (lib/invoicing/issue-invoice.ts), the one owner of
 * issuing, after credit notes and the credit balance.
 */
const ZERO = BigInt(0);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

async function lockWallet(tx: Prisma.TransactionClient, walletId: string) {
  await tx.$queryRaw`SELECT id FROM "Wallet" WHERE id = ${walletId}::uuid FOR UPDATE`;
}

/**
 * Spends the customer's prepaid credit on an invoice being issued, after tax, credit notes and the credit balance: at
 * most what is still due, wallets of the invoice's service and currency in priority order. Returns the invoice as it
 * now stands (paid when the credits covered it). Credit invoices never consume credit.
 */
export async function consumeWallets(tx: Prisma.TransactionClient, invoiceId: string, now = new Date()): Promise<Invoice> {
  const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
  if (invoice.shadow || invoice.invoiceType === "credit" || invoice.status !== "finalized") return invoice;
  let due = amountDueCents(invoice);
  if (due <= ZERO) return invoice;
  const wallets = await tx.$queryRaw<{ id: string; balanceCents: bigint; rateAmount: string }[]>`
    SELECT id, "balanceCents", "rateAmount"::text AS "rateAmount" FROM "Wallet"
     WHERE "customerId" = ${invoice.customerId}::uuid AND "serviceId" = ${invoice.serviceId}::uuid AND currency = ${invoice.currency}
       AND status = 'active' AND "balanceCents" > 0
     ORDER BY priority, "createdAt", id
       FOR UPDATE`;
  let applied = ZERO;
  const drawn: string[] = [];
  const depleted: string[] = [];
  for (const wallet of wallets) {
    if (due <= ZERO) break;
    // Read again under the lock: a concurrent issue may have spent part of it before we got the row.
    const current = await tx.wallet.findUniqueOrThrow({ where: { id: wallet.id } });
    const amount = min(current.balanceCents, due);
    if (amount <= ZERO) continue;
    await tx.wallet.update({ where: { id: wallet.id }, data: { balanceCents: { decrement: amount }, consumedCents: { increment: amount } } });
    await tx.walletTransaction.create({
      data: {
        walletId: wallet.id, transactionType: "outbound", kind: "invoiced", status: "settled", amountCents: amount,
        creditAmount: centsToCredits(amount, wallet.rateAmount), invoiceId, settledAt: now,
      },
    });
    drawn.push(wallet.id);
    if (current.balanceCents === amount) depleted.push(wallet.id);
    due -= amount;
    applied += amount;
  }
  if (applied === ZERO) return invoice;
  const paid = due <= ZERO;
  const updated = await tx.invoice.update({
    where: { id: invoiceId },
    data: {
      creditsAppliedCents: { increment: applied }, prepaidCreditCents: { increment: applied },
      ...(paid ? { status: "paid", paidAt: now, paymentStatus: "succeeded" } : {}),
    },
  });
  await tx.auditLog.create({ data: { actorType: "system", action: "wallet.consumed", entityType: "Invoice", entityId: invoiceId, data: { amountCents: applied.toString() } } });
  await recordWalletEvents(tx, drawn, "wallet.updated");
  // A balance spent to zero leaves nothing for the new period's usage: its ongoing balance is depleted.
  await alertDepleted(tx, depleted, now);
  return updated;
}

/** Which (customer, service) pairs of these customers hold prepaid credit now (the period close routes their invoices through issueInvoices). */
export async function holdersOfPrepaidCredit(rows: TextRowReader, customerIds: string[]): Promise<Set<string>> {
  if (!customerIds.length) return new Set();
  const holders = await rows(Prisma.sql`
    SELECT DISTINCT "customerId"::text, "serviceId"::text FROM "Wallet" WHERE "customerId" = ANY(${uuidArray(customerIds)}) AND status = 'active' AND "balanceCents" > 0`);
  return new Set(holders.map(([customerId, serviceId]) => `${customerId}:${serviceId}`));
}

/**
 * Voiding an invoice: the credits it consumed go back to their wallets (inbound transactions naming the invoice), and
 * a voided credit invoice's pending purchase fails (its credits will never come) and its already available purchase is
 * voided (refused when those credits were spent).
 */
export async function returnConsumedCredits(tx: Prisma.TransactionClient, invoiceId: string, now = new Date()): Promise<bigint> {
  const purchases = await tx.walletTransaction.findMany({ where: { invoiceId, kind: "purchased", status: "pending" } });
  for (const purchase of purchases) {
    await lockWallet(tx, purchase.walletId);
    await tx.walletTransaction.update({ where: { id: purchase.id }, data: { status: "failed", failedAt: now } });
    await tx.wallet.update({ where: { id: purchase.walletId }, data: { pendingCents: { decrement: purchase.amountCents } } });
  }
  // Credits granted before payment (invoice_requires_successful_payment: false) are taken back: a voided transaction
  // naming the invoice. If some were spent already the void is refused; the invoice stays owed.
  const available = await tx.walletTransaction.findMany({ where: { invoiceId, kind: "purchased", transactionType: "inbound", status: "settled" } });
  for (const purchase of available) {
    await lockWallet(tx, purchase.walletId);
    const wallet = await tx.wallet.findUniqueOrThrow({ where: { id: purchase.walletId } });
    if (wallet.balanceCents < purchase.amountCents) {
      throw new DomainError("invalid", "validation_errors", { base: ["prepaid_credits_already_consumed"] }, "The credits bought by this invoice have already been spent; it cannot be voided");
    }
    await tx.walletTransaction.create({
      data: {
        walletId: purchase.walletId, transactionType: "outbound", kind: "voided", status: "settled", amountCents: purchase.amountCents,
        creditAmount: purchase.creditAmount, invoiceId, name: "Credits voided: invoice voided", settledAt: now,
      },
    });
    await tx.wallet.update({ where: { id: purchase.walletId }, data: { balanceCents: { decrement: purchase.amountCents } } });
    await recordWalletEvents(tx, [purchase.walletId], "wallet.updated");
  }
  const consumed = await tx.walletTransaction.findMany({ where: { invoiceId, kind: "invoiced", transactionType: "outbound", status: "settled" } });
  let returned = ZERO;
  for (const transaction of consumed) {
    await lockWallet(tx, transaction.walletId);
    await tx.walletTransaction.create({
      data: {
        walletId: transaction.walletId, transactionType: "inbound", kind: "granted", status: "settled", amountCents: transaction.amountCents,
        creditAmount: transaction.creditAmount, invoiceId, name: "Credits returned: invoice voided", settledAt: now,
      },
    });
    await tx.wallet.update({ where: { id: transaction.walletId }, data: { balanceCents: { increment: transaction.amountCents }, consumedCents: { decrement: transaction.amountCents }, depletedAlertedAt: null } });
    returned += transaction.amountCents;
  }
  if (returned > ZERO) await tx.invoice.update({ where: { id: invoiceId }, data: { prepaidCreditCents: ZERO } });
  return returned;
}

/**
 * Sends `wallet.depleted_ongoing_balance` for wallets not already alerted (once per crossing: the mark is cleared when
 * credits come back).
 */
export async function alertDepleted(tx: Prisma.TransactionClient, walletIds: string[], now: Date, ongoingUsageCents?: Map<string, bigint>): Promise<string[]> {
  if (!walletIds.length) return [];
  const marked = await tx.$queryRaw<{ id: string }[]>`
    UPDATE "Wallet" SET "depletedAlertedAt" = ${now} WHERE id = ANY(${walletIds}::uuid[]) AND "depletedAlertedAt" IS NULL AND status = 'active' RETURNING id`;
  const ids = marked.map((m) => m.id);
  await recordWalletEvents(tx, ids, "wallet.depleted_ongoing_balance", ongoingUsageCents);
  return ids;
}
