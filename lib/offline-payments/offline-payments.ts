import { addDays, isCalendarDate, localDate } from "@/lib/billing/calendar-date";
import type { Db } from "@/lib/db/prisma";
import { startDunning } from "@/lib/dunning/dunning-process";
import { DomainError, invalidField } from "@/lib/errors";
import type { OfflinePaymentMethod, Prisma, PaymentReceipt } from "@/lib/generated/prisma/client";
import { sendDunningReminder, sendPaymentReceipt } from "@/lib/mail/billing-emails";
import { amountDueCents } from "@/lib/payments/chargeability";
import { settlePayment } from "@/lib/payments/payment-outcomes";
import { afterPaidAmountChange } from "@/lib/invoicing/invoice-status";
import { recordInvoiceEvents } from "@/lib/webhooks/lifecycle-events";

/**
 * Money received outside the card processor: a cheque, an EFT, a wire or cash, recorded by finance staff.
 *
 * A receipt is applied to one or several of the customer's open invoices. Each application is a Payment row (provider =
 * the method) settled by the same code as a card payment (settlePayment): the invoice's amount paid, its paid status,
 * the end of its dunning, `invoice.paid` / `invoice.payment_status_updated` / `payment.succeeded` webhooks and the
 * receipt e-mail are identical. What is left over is the customer's credit balance, applied to invoices later by staff.
 * A reversal (a bounced cheque, a recalled wire) undoes all of it, with its reason.
 */
export const OFFLINE_METHODS = ["eft", "cheque", "wire", "cash"] as const satisfies readonly OfflinePaymentMethod[];
export const OFFLINE_METHOD_LABEL: Record<OfflinePaymentMethod, string> = { eft: "EFT", cheque: "Cheque", wire: "Wire transfer", cash: "Cash" };

export interface Allocation {
  invoiceId: string;
  amountCents: bigint;
}

export interface OfflinePaymentRequest {
  customerId: string;
  method: OfflinePaymentMethod;
  /** Cheque number, EFT trace or wire reference. */
  reference: string;
  amountCents: bigint;
  currency?: string;
  /** The day the money was received (YYYY-MM-DD). */
  receivedOn: string;
  allocations: Allocation[];
  note?: string | null;
}

export interface Actor {
  staffId: string;
}

const ZERO = BigInt(0);
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, ZERO);

/** Locks the invoices (in id order, so two recordings never deadlock) and checks each can take its allocation. */
async function lockOpenInvoices(tx: Prisma.TransactionClient, customerId: string, currency: string, allocations: Allocation[]) {
  const ids = allocations.map((a) => a.invoiceId);
  if (new Set(ids).size !== ids.length) throw invalidField("allocations", "value_is_invalid", "An invoice appears twice in the allocations.");
  await tx.$queryRaw`SELECT id FROM "Invoice" WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
  const invoices = await tx.invoice.findMany({ where: { id: { in: ids } } });
  for (const [index, allocation] of allocations.entries()) {
    const invoice = invoices.find((i) => i.id === allocation.invoiceId);
    const field = `allocations.${index}`;
    if (!invoice || invoice.customerId !== customerId) throw new DomainError("not_found", "invoice_not_found", { [`${field}.invoice_id`]: ["invoice_not_found"] }, "No such invoice for this customer.");
    if (invoice.shadow || invoice.status !== "finalized") {
      throw new DomainError("not_allowed", "invoice_not_payable", { [`${field}.invoice_id`]: ["invoice_not_payable"] }, `Invoice ${invoice.number ?? invoice.id} is ${invoice.shadow ? "a shadow invoice" : invoice.status}: only finalized invoices take payments.`);
    }
    if (invoice.currency !== currency) throw invalidField(`${field}.invoice_id`, "currencies_does_not_match", `Invoice ${invoice.number} is in ${invoice.currency}.`);
    if (allocation.amountCents <= ZERO) throw invalidField(`${field}.amount_cents`, "value_is_out_of_range", "Each amount applied must be positive.");
    const due = amountDueCents(invoice);
    if (allocation.amountCents > due) {
      throw invalidField(`${field}.amount_cents`, "higher_than_amount_due", `Invoice ${invoice.number} has ${due} cents due: apply at most that (the rest can stay as credit).`);
    }
  }
  return invoices;
}

/** Creates one Payment per allocation, drawn from `receipt`, and settles it like a card payment. */
async function applyFromReceipt(tx: Prisma.TransactionClient, receipt: PaymentReceipt, allocations: Allocation[], now: Date) {
  const settled: { paymentId: string; invoiceId: string; invoicePaid: boolean }[] = [];
  for (const allocation of allocations) {
    const payment = await tx.payment.create({
      data: {
        invoiceId: allocation.invoiceId, customerId: receipt.customerId, amountCents: allocation.amountCents, currency: receipt.currency,
        status: "pending", provider: receipt.method, trigger: "offline", receiptId: receipt.id,
        idempotencyKey: `offline:${receipt.id}:${allocation.invoiceId}:${now.getTime()}`,
      },
    });
    const outcome = await settlePayment(tx, { paymentId: payment.id }, { providerPaymentId: `${receipt.method}_${payment.id}`, amountCents: allocation.amountCents }, now);
    settled.push({ paymentId: payment.id, invoiceId: allocation.invoiceId, invoicePaid: outcome.changed && outcome.invoicePaid });
  }
  return settled;
}

async function sendReceipts(client: Db, settled: { paymentId: string; invoiceId: string; invoicePaid: boolean }[]) {
  for (const s of settled) if (s.invoicePaid) await sendPaymentReceipt(client, s.invoiceId, s.paymentId);
}

function checkRequest(request: OfflinePaymentRequest, today: string) {
  if (!(OFFLINE_METHODS as readonly string[]).includes(request.method)) throw invalidField("method", "value_is_invalid", "Choose EFT, cheque, wire or cash.");
  if (!request.reference.trim() || request.reference.length > 100) throw invalidField("reference", "value_is_mandatory", "Give the cheque number, EFT trace or wire reference.");
  if (request.amountCents <= ZERO) throw invalidField("amount_cents", "value_is_out_of_range", "The amount received must be positive.");
  if (request.amountCents > BigInt("100000000000")) throw invalidField("amount_cents", "value_is_out_of_range");
  if (!isCalendarDate(request.receivedOn)) throw invalidField("received_on", "value_is_invalid", "A date such as 2026-11-03.");
  if (request.receivedOn > addDays(today, 1)) throw invalidField("received_on", "value_is_in_the_future", "Money cannot be received in the future.");
  if (request.receivedOn < addDays(today, -3650)) throw invalidField("received_on", "value_is_out_of_range");
  const applied = sum(request.allocations.map((a) => a.amountCents));
  if (applied > request.amountCents) throw invalidField("allocations", "higher_than_amount_received", "More is applied to invoices than was received.");
}

/**
 * Records money received and applies it. Everything (receipt, payments, invoices, credit balance, webhooks, audit) is
 * one transaction; receipts are e-mailed once it is committed. The same reference of the same method for the same
 * customer cannot be recorded twice (unless the first was reversed): a double-click or a second clerk is refused.
 */
export async function recordOfflinePayment(client: Db, request: OfflinePaymentRequest, actor: Actor, now = new Date()) {
  const reference = request.reference.trim();
  checkRequest({ ...request, reference }, localDate(now, "America/Toronto"));
  const outcome = await client.$transaction(async (tx) => {
    const customers = await tx.$queryRaw<{ id: string; currency: string }[]>`SELECT id, currency FROM "Customer" WHERE id = ${request.customerId}::uuid AND "deletedAt" IS NULL FOR UPDATE`;
    const customer = customers[0];
    if (!customer) throw new DomainError("not_found", "customer_not_found");
    const currency = request.currency ?? customer.currency;
    const duplicate = await tx.paymentReceipt.findFirst({ where: { customerId: customer.id, method: request.method, reference: { equals: reference, mode: "insensitive" }, reversedAt: null } });
    if (duplicate) throw new DomainError("conflict", "duplicate_reference", { reference: ["value_already_exist"] }, `${OFFLINE_METHOD_LABEL[request.method]} ${reference} is already recorded for this customer (received ${duplicate.receivedOn.toISOString().slice(0, 10)}).`);
    await lockOpenInvoices(tx, customer.id, currency, request.allocations);
    const unapplied = request.amountCents - sum(request.allocations.map((a) => a.amountCents));
    const receipt = await tx.paymentReceipt.create({
      data: {
        customerId: customer.id, method: request.method, reference, amountCents: request.amountCents, currency,
        receivedOn: new Date(`${request.receivedOn}T00:00:00Z`), unappliedCents: unapplied, note: request.note?.trim() || null, recordedById: actor.staffId,
      },
    });
    const settled = await applyFromReceipt(tx, receipt, request.allocations, now);
    if (unapplied > ZERO) await tx.customer.update({ where: { id: customer.id }, data: { creditBalanceCents: { increment: unapplied } } });
    await tx.auditLog.create({
      data: {
        actorType: "staff", actorId: actor.staffId, action: "payment_receipt.recorded", entityType: "PaymentReceipt", entityId: receipt.id,
        data: { method: request.method, reference, amountCents: request.amountCents.toString(), unappliedCents: unapplied.toString(), invoices: request.allocations.map((a) => ({ invoiceId: a.invoiceId, amountCents: a.amountCents.toString() })) },
      },
    });
    return { receipt, settled };
  });
  await sendReceipts(client, outcome.settled);
  return outcome;
}

/** Applies a customer's credit balance from offline payments (oldest receipt first) to their open invoices. */
export async function applyCustomerCredit(client: Db, customerId: string, allocations: Allocation[], actor: Actor, now = new Date()) {
  if (allocations.length === 0) throw invalidField("allocations", "value_is_mandatory", "Choose at least one invoice.");
  const outcome = await client.$transaction(async (tx) => {
    const customers = await tx.$queryRaw<{ id: string; currency: string }[]>`SELECT id, currency FROM "Customer" WHERE id = ${customerId}::uuid FOR UPDATE`;
    if (!customers[0]) throw new DomainError("not_found", "customer_not_found");
    const receipts = await tx.paymentReceipt.findMany({ where: { customerId, reversedAt: null, unappliedCents: { gt: 0 } }, orderBy: [{ receivedOn: "asc" }, { createdAt: "asc" }] });
    const currency = receipts[0]?.currency ?? customers[0].currency;
    await lockOpenInvoices(tx, customerId, currency, allocations);
    const available = sum(receipts.filter((r) => r.currency === currency).map((r) => r.unappliedCents));
    const wanted = sum(allocations.map((a) => a.amountCents));
    if (wanted > available) throw invalidField("allocations", "higher_than_credit_balance", `Only ${available} cents of credit from payments received are available.`);
    const settled: Awaited<ReturnType<typeof applyFromReceipt>> = [];
    const pending = allocations.map((a) => ({ ...a }));
    for (const receipt of receipts) {
      let left = receipt.unappliedCents;
      const draws: Allocation[] = [];
      for (const a of pending) {
        if (left <= ZERO) break;
        if (a.amountCents <= ZERO) continue;
        const amount = a.amountCents < left ? a.amountCents : left;
        draws.push({ invoiceId: a.invoiceId, amountCents: amount });
        a.amountCents -= amount;
        left -= amount;
      }
      if (!draws.length) continue;
      await tx.paymentReceipt.update({ where: { id: receipt.id }, data: { unappliedCents: left } });
      settled.push(...(await applyFromReceipt(tx, receipt, draws, now)));
    }
    await tx.customer.update({ where: { id: customerId }, data: { creditBalanceCents: { decrement: wanted } } });
    await tx.auditLog.create({
      data: { actorType: "staff", actorId: actor.staffId, action: "customer_credit.applied", entityType: "Customer", entityId: customerId, data: { invoices: allocations.map((a) => ({ invoiceId: a.invoiceId, amountCents: a.amountCents.toString() })) } },
    });
    return { settled };
  });
  await sendReceipts(client, outcome.settled);
  return outcome;
}

/**
 * Reverses an offline payment (a cheque returned NSF, a recalled wire, an entry made in error): each invoice it paid gets
 * the amount back as due — a paid invoice is open again, with payment status failed, its service is told
 * (`invoice.payment_failed`, `invoice.payment_status_updated`) and dunning starts as after a failed charge — and its
 * unused credit leaves the customer's balance. The receipt stays, marked reversed with the reason.
 */
export async function reverseOfflinePayment(client: Db, receiptId: string, reason: string, actor: Actor, now = new Date()) {
  const why = reason.trim();
  if (!why || why.length > 500) throw invalidField("reason", "value_is_mandatory", "Say why the payment is reversed.");
  const outcome = await client.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "PaymentReceipt" WHERE id = ${receiptId}::uuid FOR UPDATE`;
    if (!rows[0]) throw new DomainError("not_found", "payment_receipt_not_found");
    const receipt = await tx.paymentReceipt.findUniqueOrThrow({ where: { id: receiptId }, include: { payments: true } });
    if (receipt.reversedAt) throw new DomainError("conflict", "already_reversed", undefined, "This payment was already reversed.");
    const payments = receipt.payments.filter((p) => p.status === "succeeded");
    const invoiceIds = [...new Set(payments.map((p) => p.invoiceId).filter((id): id is string => id !== null))].sort();
    await tx.$queryRaw`SELECT id FROM "Invoice" WHERE id = ANY(${invoiceIds}::uuid[]) ORDER BY id FOR UPDATE`;
    const reopened: string[] = [];
    for (const invoiceId of invoiceIds) {
      const invoice = await tx.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
      const taken = sum(payments.filter((p) => p.invoiceId === invoiceId).map((p) => p.amountCents));
      const change = afterPaidAmountChange(invoice, invoice.amountPaidCents - taken, now);
      const updated = await tx.invoice.update({ where: { id: invoiceId }, data: { ...change.data, paymentStatus: "failed" } });
      if (updated.status === "finalized" && !updated.shadow) {
        await recordInvoiceEvents(tx, [updated], () => ["invoice.payment_failed", "invoice.payment_status_updated"]);
        // An invoice the reversal reopens is chased like one whose charge failed (a finished campaign is started again).
        await tx.dunningProcess.deleteMany({ where: { invoiceId, status: { in: ["recovered", "canceled"] } } });
        if (await startDunning(tx, updated, now)) reopened.push(invoiceId);
      }
    }
    await tx.payment.updateMany({ where: { id: { in: payments.map((p) => p.id) } }, data: { status: "canceled", failureCode: "reversed", failureMessage: why } });
    const unused = receipt.unappliedCents;
    if (unused > ZERO) await tx.customer.update({ where: { id: receipt.customerId }, data: { creditBalanceCents: { decrement: unused } } });
    const reversed = await tx.paymentReceipt.update({ where: { id: receiptId }, data: { reversedAt: now, reversalReason: why, reversedById: actor.staffId } });
    await tx.auditLog.create({
      data: { actorType: "staff", actorId: actor.staffId, action: "payment_receipt.reversed", entityType: "PaymentReceipt", entityId: receiptId, data: { reason: why, invoices: invoiceIds, unusedCreditCents: unused.toString() } },
    });
    return { receipt: reversed, reopened };
  });
  for (const invoiceId of outcome.reopened) await sendDunningReminder(client, invoiceId, now);
  return outcome;
}
