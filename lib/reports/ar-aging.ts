import type { Db } from "@/lib/db/prisma";
import { isCalendarDate, parseCalendarDate } from "@/lib/billing/calendar-date";
import { invalidField } from "@/lib/errors";
import { amountDueCents } from "@/lib/payments/chargeability";
import { toCsv } from "./csv";
import { BOOKS_CURRENCY } from "./report-params";

/**
 * Accounts receivable aging on a day: every issued invoice with something still due (finalized, not voided, not
 * shadow), by how many days past its due date it is on that day. An invoice due on the day itself is current; one day
 * late is 1–30; 30 days late is still 1–30, 31 is 31–60, 60 | 61, 90 | 91 are the next edges.
 *
 * Every open invoice is listed, each in its currency. The totals and the groups by customer and by service add amounts,
 * so they count the books' currency (BOOKS_CURRENCY) only; what is owed in another currency is totalled apart, per
 * currency and in that currency (the product holds no exchange rates), so no receivable drops out of view.
 */
export const AGING_BUCKETS = ["current", "1_30", "31_60", "61_90", "over_90"] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];
export const AGING_LABEL: Record<AgingBucket, string> = { current: "Current", "1_30": "1–30", "31_60": "31–60", "61_90": "61–90", over_90: "90+" };

export function agingBucket(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return "current";
  if (daysPastDue <= 30) return "1_30";
  if (daysPastDue <= 60) return "31_60";
  if (daysPastDue <= 90) return "61_90";
  return "over_90";
}

function dayNumber(date: string): number {
  const { year, month, day } = parseCalendarDate(date);
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

export interface AgingInvoice {
  id: string;
  number: string;
  customerId: string;
  customer: string;
  serviceId: string;
  service: string;
  issuingDate: string;
  dueDate: string;
  daysPastDue: number;
  bucket: AgingBucket;
  amountDueCents: bigint;
  currency: string;
}

export interface AgingGroup {
  id: string;
  name: string;
  buckets: Record<AgingBucket, bigint>;
  totalCents: bigint;
}

/** What is owed in a currency other than the books', in that currency: not in the totals and groups. */
export interface AgingOtherCurrency {
  currency: string;
  buckets: Record<AgingBucket, bigint>;
  totalCents: bigint;
  invoiceCount: number;
}

export interface AgingReport {
  asOf: string;
  /** The currency of the totals and the groups. */
  currency: string;
  /** Every open invoice, in any currency. */
  invoices: AgingInvoice[];
  byCustomer: AgingGroup[];
  byService: AgingGroup[];
  totals: Record<AgingBucket, bigint> & { total: bigint };
  /** Open invoices in other currencies, per currency (sorted). */
  otherCurrencies: AgingOtherCurrency[];
}

const emptyBuckets = (): Record<AgingBucket, bigint> => ({ current: BigInt(0), "1_30": BigInt(0), "31_60": BigInt(0), "61_90": BigInt(0), over_90: BigInt(0) });

export async function arAging(client: Db, asOf: string, filter: { customerId?: string; serviceId?: string } = {}): Promise<AgingReport> {
  if (!isCalendarDate(asOf)) throw invalidField("as_of", "value_is_invalid", "as_of must be a date (YYYY-MM-DD).");
  const open = await client.invoice.findMany({
    where: { status: "finalized", shadow: false, number: { not: null }, ...(filter.customerId ? { customerId: filter.customerId } : {}), ...(filter.serviceId ? { serviceId: filter.serviceId } : {}) },
    include: { customer: { select: { legalName: true } }, service: { select: { name: true } } },
    orderBy: [{ paymentDueDate: "asc" }, { number: "asc" }],
  });
  const today = dayNumber(asOf);
  const invoices: AgingInvoice[] = [];
  for (const i of open) {
    const due = amountDueCents(i);
    if (due <= BigInt(0) || !i.paymentDueDate || !i.issuingDate) continue;
    const dueDate = i.paymentDueDate.toISOString().slice(0, 10);
    const daysPastDue = today - dayNumber(dueDate);
    invoices.push({
      id: i.id, number: i.number!, customerId: i.customerId, customer: i.customer.legalName, serviceId: i.serviceId, service: i.service.name,
      issuingDate: i.issuingDate.toISOString().slice(0, 10), dueDate, daysPastDue, bucket: agingBucket(daysPastDue), amountDueCents: due, currency: i.currency,
    });
  }
  const books = invoices.filter((i) => i.currency === BOOKS_CURRENCY);
  const group = (key: (i: AgingInvoice) => [string, string]) => {
    const groups = new Map<string, AgingGroup>();
    for (const i of books) {
      const [id, name] = key(i);
      const g = groups.get(id) ?? groups.set(id, { id, name, buckets: emptyBuckets(), totalCents: BigInt(0) }).get(id)!;
      g.buckets[i.bucket] += i.amountDueCents;
      g.totalCents += i.amountDueCents;
    }
    return [...groups.values()].sort((a, b) => (b.totalCents > a.totalCents ? 1 : b.totalCents < a.totalCents ? -1 : a.name.localeCompare(b.name)));
  };
  const totals = { ...emptyBuckets(), total: BigInt(0) };
  for (const i of books) {
    totals[i.bucket] += i.amountDueCents;
    totals.total += i.amountDueCents;
  }
  const others = new Map<string, AgingOtherCurrency>();
  for (const i of invoices) {
    if (i.currency === BOOKS_CURRENCY) continue;
    const o = others.get(i.currency) ?? others.set(i.currency, { currency: i.currency, buckets: emptyBuckets(), totalCents: BigInt(0), invoiceCount: 0 }).get(i.currency)!;
    o.buckets[i.bucket] += i.amountDueCents;
    o.totalCents += i.amountDueCents;
    o.invoiceCount += 1;
  }
  return {
    asOf, currency: BOOKS_CURRENCY, invoices, byCustomer: group((i) => [i.customerId, i.customer]), byService: group((i) => [i.serviceId, i.service]), totals,
    otherCurrencies: [...others.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}

export function arAgingCsv(report: AgingReport): string {
  return toCsv(
    ["as_of", "invoice", "customer", "service", "issued", "due", "days_past_due", "bucket", "amount_due", "currency"],
    report.invoices.map((i) => [report.asOf, i.number, i.customer, i.service, i.issuingDate, i.dueDate, String(i.daysPastDue), AGING_LABEL[i.bucket], i.amountDueCents, i.currency]),
  );
}
