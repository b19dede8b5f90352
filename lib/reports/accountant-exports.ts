import type { Db } from "@/lib/db/prisma";
import { addDays, localDate } from "@/lib/billing/calendar-date";
import { amountDueCents } from "@/lib/payments/chargeability";
import { dollars, toCsv } from "./csv";
import { BOOKS_TIMEZONE } from "./report-params";
import { checkPeriod } from "./sales-tax";

/**
 * The accountant's CSV exports of a date range (inclusive): invoices by issue date, credit notes by issue date in the
 * customer's timezone, payments by the day the money came in (a card payment's day in Toronto, an offline payment's
 * received date), refunds by their day in Toronto — the dates of the journal and the reports. Amounts are exact
 * decimal strings in the document's currency ("1234.50"), never floats. Shadow (dual-run) documents are not books and
 * are left out.
 */
export const ACCOUNTANT_EXPORTS = ["invoices", "credit-notes", "payments", "refunds"] as const;
export type AccountantExport = (typeof ACCOUNTANT_EXPORTS)[number];

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

function range(from: string, to: string) {
  checkPeriod(from, to);
  const start = new Date(`${from}T00:00:00Z`);
  const endExclusive = new Date(`${addDays(to, 1)}T00:00:00Z`);
  return {
    start, endExclusive,
    wideStart: new Date(start.getTime() - 2 * 86_400_000), wideEnd: new Date(endExclusive.getTime() + 2 * 86_400_000),
    inPeriod: (date: string) => date >= from && date <= to,
  };
}

export async function invoicesCsv(client: Db, from: string, to: string): Promise<string> {
  const { start, endExclusive } = range(from, to);
  const invoices = await client.invoice.findMany({
    where: { shadow: false, number: { not: null }, issuingDate: { gte: start, lt: endExclusive } },
    orderBy: [{ issuingDate: "asc" }, { number: "asc" }],
    include: { customer: { select: { legalName: true, sequentialId: true } }, service: { select: { code: true } }, taxes: { select: { code: true, amountCents: true } } },
  });
  return toCsv(
    ["number", "issued", "due", "status", "payment_status", "customer", "customer_number", "service", "currency", "subtotal", "taxes", "total", "credits_applied", "amount_paid", "amount_due", "tax_detail", "tax_note", "voided_at"],
    invoices.map((i) => [
      i.number, day(i.issuingDate), day(i.paymentDueDate), i.status, i.paymentStatus, i.customer.legalName, String(i.customer.sequentialId), i.service.code, i.currency,
      i.subtotalCents, i.taxesCents, i.totalCents, i.creditsAppliedCents, i.amountPaidCents, i.status === "voided" ? BigInt(0) : amountDueCents(i),
      i.taxes.map((t) => `${t.code}=${dollars(t.amountCents)}`).join(";"), i.taxNote, i.voidedAt?.toISOString() ?? null,
    ]),
  );
}

export async function creditNotesCsv(client: Db, from: string, to: string): Promise<string> {
  const { wideStart, wideEnd, inPeriod } = range(from, to);
  const notes = await client.creditNote.findMany({
    where: { status: { in: ["issued", "voided"] }, issuedAt: { gte: wideStart, lt: wideEnd }, invoice: { shadow: false } },
    orderBy: [{ issuedAt: "asc" }, { number: "asc" }],
    include: { customer: { select: { legalName: true, timezone: true } }, invoice: { select: { number: true, service: { select: { code: true } } } } },
  });
  return toCsv(
    ["number", "issued", "status", "kind", "reason", "invoice", "customer", "service", "currency", "subtotal", "taxes", "total", "credit_remaining"],
    notes
      .map((n) => ({ n, issued: localDate(n.issuedAt!, n.customer.timezone) }))
      .filter(({ issued }) => inPeriod(issued))
      .map(({ n, issued }) => [n.number, issued, n.status, n.kind, n.reason, n.invoice.number, n.customer.legalName, n.invoice.service.code, n.currency, n.subtotalCents, n.taxesCents, n.totalCents, n.balanceCents]),
  );
}

/**
 * Money in: one row per card payment and per part of an offline payment applied to an invoice, plus one row for the
 * part of an offline payment left as credit balance. A reversed offline payment keeps its rows, marked with the day
 * it was reversed (the journal posts the reversal on that day).
 */
export async function paymentsCsv(client: Db, from: string, to: string): Promise<string> {
  const { start, endExclusive, wideStart, wideEnd, inPeriod } = range(from, to);
  const rows: { date: string; cells: (string | bigint | null)[] }[] = [];
  const cards = await client.payment.findMany({
    where: { provider: "stripe", status: { in: ["succeeded", "refunded"] }, createdAt: { gte: wideStart, lt: wideEnd } },
    include: { customer: { select: { legalName: true } }, invoice: { select: { number: true, shadow: true, service: { select: { code: true } } } } },
  });
  for (const p of cards) {
    const date = localDate(p.createdAt, BOOKS_TIMEZONE);
    if (!inPeriod(date) || p.invoice?.shadow) continue;
    rows.push({ date, cells: [date, "card", p.providerPaymentId, p.customer.legalName, p.invoice?.number ?? null, p.invoice?.service.code ?? null, p.currency, p.amountCents, p.refundedCents, p.status, null] });
  }
  const receipts = await client.paymentReceipt.findMany({
    where: { receivedOn: { gte: start, lt: endExclusive } },
    include: { customer: { select: { legalName: true } }, payments: { include: { invoice: { select: { number: true, service: { select: { code: true } } } } } } },
  });
  for (const r of receipts) {
    const date = day(r.receivedOn)!;
    const reversed = r.reversedAt ? localDate(r.reversedAt, BOOKS_TIMEZONE) : null;
    const status = r.reversedAt ? "reversed" : "received";
    for (const p of r.payments) rows.push({ date, cells: [date, r.method, r.reference, r.customer.legalName, p.invoice?.number ?? null, p.invoice?.service.code ?? null, r.currency, p.amountCents, BigInt(0), status, reversed] });
    const applied = r.payments.reduce((s, p) => s + p.amountCents, BigInt(0));
    if (r.amountCents > applied) rows.push({ date, cells: [date, r.method, r.reference, r.customer.legalName, "credit balance", null, r.currency, r.amountCents - applied, BigInt(0), status, reversed] });
  }
  rows.sort((a, b) => a.date.localeCompare(b.date));
  return toCsv(["date", "method", "reference", "customer", "invoice", "service", "currency", "amount", "refunded", "status", "reversed_on"], rows.map((r) => r.cells));
}

export async function refundsCsv(client: Db, from: string, to: string): Promise<string> {
  const { wideStart, wideEnd, inPeriod } = range(from, to);
  const refunds = await client.refund.findMany({
    where: { createdAt: { gte: wideStart, lt: wideEnd } },
    orderBy: { createdAt: "asc" },
    include: { payment: { include: { customer: { select: { legalName: true } }, invoice: { select: { number: true, shadow: true, service: { select: { code: true } } } } } } },
  });
  const creditNotes = new Map((await client.creditNote.findMany({ where: { id: { in: refunds.map((r) => r.creditNoteId).filter((id): id is string => id !== null) } }, select: { id: true, number: true } })).map((n) => [n.id, n.number]));
  return toCsv(
    ["date", "refund_id", "payment_id", "customer", "invoice", "service", "credit_note", "currency", "amount", "status", "reason"],
    refunds
      .map((r) => ({ r, date: localDate(r.createdAt, BOOKS_TIMEZONE) }))
      .filter(({ r, date }) => inPeriod(date) && !r.payment.invoice?.shadow)
      .map(({ r, date }) => [
        date, r.providerRefundId, r.payment.providerPaymentId, r.payment.customer.legalName, r.payment.invoice?.number ?? null, r.payment.invoice?.service.code ?? null,
        r.creditNoteId ? creditNotes.get(r.creditNoteId) ?? null : null, r.payment.currency, r.amountCents, r.status, r.reason,
      ]),
  );
}

export function accountantCsv(client: Db, kind: AccountantExport, from: string, to: string): Promise<string> {
  return { invoices: invoicesCsv, "credit-notes": creditNotesCsv, payments: paymentsCsv, refunds: refundsCsv }[kind](client, from, to);
}
