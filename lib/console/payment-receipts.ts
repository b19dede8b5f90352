import { z } from "zod";
import type { Db } from "@/lib/db/prisma";
import { dollarsAsCents, requiredText, textOrNull } from "@/lib/console/forms/form-schemas";
import type { FormValues } from "@/lib/console/forms/form-state";
import { amountDueCents } from "@/lib/payments/chargeability";
import { OFFLINE_METHODS, OFFLINE_METHOD_LABEL, type Allocation } from "@/lib/offline-payments/offline-payments";

/** The record-a-payment form: the receipt, then one `apply.<invoice id>` amount per open invoice (blank = not applied). */
export const offlinePaymentForm = z.object({
  method: z.enum(OFFLINE_METHODS, { error: "value_is_invalid" }),
  reference: requiredText(100),
  amount: dollarsAsCents,
  received_on: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, "A date such as 2026-11-03."),
  note: textOrNull(500),
});

export const reversalForm = z.object({ reason: requiredText(500) });

/** The `apply.<invoice id>` inputs that carry an amount, as allocations in cents. */
export function allocationsOf(values: FormValues): Allocation[] {
  const allocations: Allocation[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const match = /^apply\.([0-9a-f-]{36})$/.exec(name);
    if (!match || !raw.trim()) continue;
    const parsed = dollarsAsCents.safeParse(raw);
    if (!parsed.success) throw new z.ZodError([{ code: "custom", path: [name], message: "invalid_amount", input: raw }]);
    if (parsed.data > BigInt(0)) allocations.push({ invoiceId: match[1], amountCents: parsed.data });
  }
  return allocations;
}

export interface OpenInvoiceRow {
  id: string;
  number: string;
  service: string;
  issuingDate: string;
  dueDate: string;
  totalCents: string;
  amountDueCents: string;
  currency: string;
}

/** A customer's finalized invoices with something due, oldest first (what a payment is applied to). */
export async function openInvoicesOf(client: Db, customerId: string): Promise<OpenInvoiceRow[]> {
  const invoices = await client.invoice.findMany({
    where: { customerId, status: "finalized", shadow: false },
    include: { service: { select: { name: true } } },
    orderBy: [{ issuingDate: "asc" }, { number: "asc" }],
  });
  return invoices.filter((i) => amountDueCents(i) > BigInt(0)).map((i) => ({
    id: i.id,
    number: i.number ?? "",
    service: i.service.name,
    issuingDate: i.issuingDate?.toISOString().slice(0, 10) ?? "",
    dueDate: i.paymentDueDate?.toISOString().slice(0, 10) ?? "",
    totalCents: i.totalCents.toString(),
    amountDueCents: amountDueCents(i).toString(),
    currency: i.currency,
  }));
}

export interface ReceiptRow {
  id: string;
  customerId: string;
  customer: string;
  method: string;
  reference: string;
  receivedOn: string;
  amountCents: string;
  unappliedCents: string;
  currency: string;
  invoices: string;
  status: "recorded" | "reversed";
}

/** Offline payments, newest first: every customer's (the payments page) or one customer's. */
export async function listReceipts(client: Db, options: { customerId?: string; take?: number } = {}): Promise<ReceiptRow[]> {
  const receipts = await client.paymentReceipt.findMany({
    where: options.customerId ? { customerId: options.customerId } : {},
    include: { customer: { select: { legalName: true } }, payments: { include: { invoice: { select: { number: true } } } } },
    orderBy: [{ receivedOn: "desc" }, { createdAt: "desc" }],
    take: options.take ?? 200,
  });
  return receipts.map((r) => ({
    id: r.id,
    customerId: r.customerId,
    customer: r.customer.legalName,
    method: OFFLINE_METHOD_LABEL[r.method],
    reference: r.reference,
    receivedOn: r.receivedOn.toISOString().slice(0, 10),
    amountCents: r.amountCents.toString(),
    unappliedCents: r.reversedAt ? "0" : r.unappliedCents.toString(),
    currency: r.currency,
    invoices: [...new Set(r.payments.map((p) => p.invoice?.number).filter(Boolean))].join(", "),
    status: r.reversedAt ? "reversed" : "recorded",
  }));
}

export async function findReceipt(client: Db, id: string) {
  return client.paymentReceipt.findUnique({
    where: { id },
    include: { customer: true, payments: { include: { invoice: { select: { id: true, number: true, status: true, totalCents: true } } }, orderBy: { createdAt: "asc" } } },
  });
}

export { OFFLINE_METHOD_LABEL };
