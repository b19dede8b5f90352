import type { Invoice, Payment, Prisma } from "@/lib/generated/prisma/client";
import { amountDueCents } from "@/lib/payments/chargeability";

/**
 * Automatic application of a customer's credit balance from payments received (the unapplied part of cheques, EFTs,
 * wires and cash: PaymentReceipt.unappliedCents) to a newly issued invoice.
 *
 * It runs after tax and after credit notes (finalizeInvoice consumes those first), and takes at most what is still due.
 * Each draw is a Payment from its receipt (oldest receipt first, trigger "credit_balance"), exactly like staff applying
 * the credit by hand: the invoice's amount paid grows, the receipt's and the customer's balances shrink, and reversing
 * the receipt later reopens the invoice. The journal needs no entry of its own: the receipt was booked in full
 * (Dr cash / Cr accounts receivable) when it was received, so the customer's receivable was already in credit and the
 * new invoice's debit simply nets against it.
 *
 * An invoice the credit covers in full is paid at once (status paid, payment status succeeded); its issue events then
 * include `invoice.paid` and `invoice.payment_status_updated` (see invoiceIssueTypes). The customer row is locked first,
 * as recording and applying offline payments do, so two invoices issued at once never spend the same credit.
 */
export const CREDIT_BALANCE_TRIGGER = "credit_balance";

const ZERO = BigInt(0);

export async function applyCreditBalance(tx: Prisma.TransactionClient, invoice: Invoice, now = new Date()): Promise<Invoice> {
  if (invoice.shadow || invoice.status !== "finalized" || amountDueCents(invoice) <= ZERO) return invoice;
  await tx.$queryRaw`SELECT id FROM "Customer" WHERE id = ${invoice.customerId}::uuid FOR UPDATE`;
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "PaymentReceipt"
     WHERE "customerId" = ${invoice.customerId}::uuid AND "reversedAt" IS NULL AND "unappliedCents" > 0 AND currency = ${invoice.currency}
     ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return invoice;
  const receipts = await tx.paymentReceipt.findMany({ where: { id: { in: locked.map((r) => r.id) } }, orderBy: [{ receivedOn: "asc" }, { createdAt: "asc" }] });
  let due = amountDueCents(invoice);
  let applied = ZERO;
  const draws: { receiptId: string; amountCents: bigint }[] = [];
  for (const receipt of receipts) {
    if (due <= ZERO) break;
    const amount = receipt.unappliedCents < due ? receipt.unappliedCents : due;
    if (amount <= ZERO) continue;
    await tx.paymentReceipt.update({ where: { id: receipt.id }, data: { unappliedCents: receipt.unappliedCents - amount } });
    await tx.payment.create({
      data: {
        invoiceId: invoice.id, customerId: invoice.customerId, amountCents: amount, currency: invoice.currency, status: "succeeded",
        provider: receipt.method, trigger: CREDIT_BALANCE_TRIGGER, receiptId: receipt.id, idempotencyKey: `credit_balance:${receipt.id}:${invoice.id}`,
      },
    });
    draws.push({ receiptId: receipt.id, amountCents: amount });
    due -= amount;
    applied += amount;
  }
  if (applied === ZERO) return invoice;
  await tx.customer.update({ where: { id: invoice.customerId }, data: { creditBalanceCents: { decrement: applied } } });
  const paid = due <= ZERO;
  const updated = await tx.invoice.update({
    where: { id: invoice.id },
    data: { amountPaidCents: invoice.amountPaidCents + applied, ...(paid ? { status: "paid", paidAt: now, paymentStatus: "succeeded" } : {}) },
  });
  await tx.auditLog.create({
    data: {
      actorType: "system", action: "customer_credit.applied", entityType: "Invoice", entityId: invoice.id,
      data: { automatic: true, amountCents: applied.toString(), receipts: draws.map((d) => ({ receiptId: d.receiptId, amountCents: d.amountCents.toString() })) },
    },
  });
  return updated;
}

/** How much of an invoice's amount paid is the customer's credit balance (shown as "Credit applied"). */
export function creditBalanceAppliedCents(payments: Pick<Payment, "trigger" | "status" | "amountCents">[]): bigint {
  return payments.filter((p) => p.trigger === CREDIT_BALANCE_TRIGGER && p.status === "succeeded").reduce((sum, p) => sum + p.amountCents, ZERO);
}
