import type { Db } from "@/lib/db/prisma";
import { addDays, isCalendarDate } from "@/lib/billing/calendar-date";
import { invalidField } from "@/lib/errors";
import { creditedTaxes } from "@/lib/invoicing/credit-notes";
import { toCsv, type CsvCell } from "./csv";
import { BOOKS_CURRENCY } from "./report-params";

/**
 * The sales tax report of a filing period: what a GST/HST return and a QST return need, from the ledger alone.
 *
 * - An invoice counts in the period of its issue date (the tax point); voided, draft and shadow invoices never count.
 * - A credit note counts in the period it was issued (its date in the customer's timezone, as its document prints it),
 *   whatever the period of the invoice it credits; its taxes are the invoice's rates applied to the credited amount,
 *   exactly as the credit note computed them.
 * - One row per tax, rate, province (HST differs by province) and registration number.
 * - Sales without tax are split: zero-rated (customers outside Canada) and exempt (customers with an exemption).
 * - The returns are filed in Canadian dollars, so the rows, sales, counts and returns count documents in the books'
 *   currency (BOOKS_CURRENCY) only. Invoices and credit notes in another currency are tallied apart, per currency and in
 *   that currency (otherCurrencies): the product holds no exchange rates, so finance converts them at the rate of each
 *   document's tax point and adds them to the return by hand (OTHER_CURRENCY_NOTICE).
 */
export interface SalesTaxRow {
  code: string;
  name: string;
  province: string | null;
  ratePercent: string;
  registrationNumber: string | null;
  invoicedTaxableCents: bigint;
  invoicedTaxCents: bigint;
  creditedTaxableCents: bigint;
  creditedTaxCents: bigint;
  netTaxableCents: bigint;
  netTaxCents: bigint;
}

export const OTHER_CURRENCY_NOTICE =
  "Not included in the rows, sales and returns: the product holds no exchange rates. Convert each of these invoices and credit notes to Canadian dollars at the exchange rate of its tax point (the day it was issued) and add them to the returns by hand.";

/** Invoices and credit notes of the period in a currency other than the books', tallied like the report, in that currency. */
export interface SalesTaxOtherCurrency {
  currency: string;
  invoiceCount: number;
  creditNoteCount: number;
  rows: SalesTaxRow[];
  sales: SalesTaxReport["sales"];
  totals: SalesTaxReport["totals"];
}

export interface SalesTaxReport {
  from: string;
  to: string;
  /** The currency of every amount below (but otherCurrencies'). */
  currency: string;
  rows: SalesTaxRow[];
  sales: {
    /** Subtotals (before tax) of invoices issued in the period, by treatment. */
    taxableCents: bigint;
    zeroRatedCents: bigint;
    exemptCents: bigint;
    /** Subtotals of credit notes issued in the period (positive numbers, deducted). */
    creditedTaxableCents: bigint;
    creditedZeroRatedCents: bigint;
    creditedExemptCents: bigint;
    netCents: bigint;
  };
  invoiceCount: number;
  creditNoteCount: number;
  /** Per return: GST/HST (GST and HST rows) and QST. Line numbers of the CRA and Revenu Québec forms. */
  returns: {
    gstHst: { line101SalesCents: bigint; line103TaxCollectedCents: bigint; line107AdjustmentsCents: bigint; netTaxCents: bigint; registrationNumbers: string[] };
    qst: { salesCents: bigint; line203TaxCollectedCents: bigint; adjustmentsCents: bigint; netTaxCents: bigint; registrationNumbers: string[] };
  };
  totals: { invoicedTaxCents: bigint; creditedTaxCents: bigint; netTaxCents: bigint };
  /** Not in the figures above: per currency (sorted), to convert and add by hand (OTHER_CURRENCY_NOTICE). */
  otherCurrencies: SalesTaxOtherCurrency[];
}

const ZERO = BigInt(0);

export function checkPeriod(from: string, to: string) {
  if (!isCalendarDate(from)) throw invalidField("from", "value_is_invalid", "from must be a date (YYYY-MM-DD).");
  if (!isCalendarDate(to)) throw invalidField("to", "value_is_invalid", "to must be a date (YYYY-MM-DD).");
  if (to < from) throw invalidField("to", "value_is_out_of_range", "to is before from.");
  if (addDays(from, 400) < to) throw invalidField("to", "value_is_out_of_range", "A period is at most 400 days.");
}

function noTaxTreatment(note: string | null): "zero_rated" | "exempt" {
  return note?.startsWith("Tax exempt") ? "exempt" : "zero_rated";
}

export async function salesTaxReport(client: Db, from: string, to: string): Promise<SalesTaxReport> {
  checkPeriod(from, to);
  const start = new Date(`${from}T00:00:00Z`);
  const endExclusive = new Date(`${addDays(to, 1)}T00:00:00Z`);
  const invoices = await client.invoice.findMany({
    // A credit invoice sells prepaid credit, not a supply: it is taxed when the credit pays a usage invoice (README "Wallets").
    where: { shadow: false, number: { not: null }, status: { in: ["finalized", "paid"] }, invoiceType: { not: "credit" }, issuingDate: { gte: start, lt: endExclusive } },
    select: { id: true, currency: true, subtotalCents: true, taxNote: true, billedTo: true, customer: { select: { province: true } }, taxes: true },
  });
  // Credit notes by their local issue date: a wide UTC window first, then the exact date in the customer's timezone.
  const noteRows = await client.$queryRaw<{ id: string }[]>`
    SELECT cn.id FROM "CreditNote" cn JOIN "Customer" c ON c.id = cn."customerId"
     WHERE cn.status = 'issued' AND cn."issuedAt" IS NOT NULL
       AND (cn."issuedAt" AT TIME ZONE c.timezone)::date BETWEEN ${from}::date AND ${to}::date`;
  const notes = await client.creditNote.findMany({
    where: { id: { in: noteRows.map((r) => r.id) } },
    select: { id: true, currency: true, subtotalCents: true, invoice: { select: { taxNote: true, billedTo: true, customer: { select: { province: true } }, taxes: true } } },
  });

  const books = tally(invoices.filter((i) => i.currency === BOOKS_CURRENCY), notes.filter((n) => n.currency === BOOKS_CURRENCY));
  const { rows: sorted, sales, totals } = books;
  const currencies = [...new Set([...invoices, ...notes].map((d) => d.currency).filter((c) => c !== BOOKS_CURRENCY))].sort();
  const otherCurrencies = currencies.map((currency) => {
    const t = tally(invoices.filter((i) => i.currency === currency), notes.filter((n) => n.currency === currency));
    return { currency, invoiceCount: t.invoiceCount, creditNoteCount: t.creditNoteCount, rows: t.rows, sales: t.sales, totals: t.totals };
  });
  const sumOf = (list: SalesTaxRow[], pick: (r: SalesTaxRow) => bigint) => list.reduce((s, r) => s + pick(r), ZERO);
  const gstHst = sorted.filter((r) => r.code === "GST" || r.code === "HST");
  const qst = sorted.filter((r) => r.code === "QST");
  const registrations = (list: SalesTaxRow[]) => [...new Set(list.map((r) => r.registrationNumber ?? "(not registered)"))];
  return {
    from, to, currency: BOOKS_CURRENCY, rows: sorted, sales, invoiceCount: books.invoiceCount, creditNoteCount: books.creditNoteCount,
    returns: {
      gstHst: {
        // Line 101: all sales and other revenue (taxable, zero-rated and exempt), net of credit notes.
        line101SalesCents: sales.netCents,
        line103TaxCollectedCents: sumOf(gstHst, (r) => r.invoicedTaxCents),
        line107AdjustmentsCents: sumOf(gstHst, (r) => r.creditedTaxCents),
        netTaxCents: sumOf(gstHst, (r) => r.netTaxCents),
        registrationNumbers: registrations(gstHst),
      },
      qst: {
        salesCents: sumOf(qst, (r) => r.netTaxableCents),
        line203TaxCollectedCents: sumOf(qst, (r) => r.invoicedTaxCents),
        adjustmentsCents: sumOf(qst, (r) => r.creditedTaxCents),
        netTaxCents: sumOf(qst, (r) => r.netTaxCents),
        registrationNumbers: registrations(qst),
      },
    },
    totals,
    otherCurrencies,
  };
}

type TaxLine = { code: string; name: string; rate: { toString(): string }; registrationNumber: string | null; taxableAmountCents: bigint; amountCents: bigint };
type TaxedDocument = { taxNote: string | null; billedTo: unknown; customer: { province: string | null }; taxes: TaxLine[] };

/** Rows, sales and totals of a set of invoices and credit notes, all in one currency. */
function tally(invoices: (TaxedDocument & { subtotalCents: bigint })[], notes: { subtotalCents: bigint; invoice: TaxedDocument }[]) {
  const rows = new Map<string, SalesTaxRow>();
  const provinceOf = (i: { billedTo: unknown; customer: { province: string | null } }) =>
    ((i.billedTo as { province?: string | null } | null)?.province ?? i.customer.province ?? null)?.toUpperCase() ?? null;
  const rowFor = (t: { code: string; name: string; rate: { toString(): string }; registrationNumber: string | null }, province: string | null) => {
    const rowProvince = t.code === "GST" ? null : province;
    const key = [t.code, rowProvince, t.rate.toString(), t.registrationNumber].join("|");
    let row = rows.get(key);
    if (!row) {
      row = { code: t.code, name: t.name, province: rowProvince, ratePercent: t.rate.toString(), registrationNumber: t.registrationNumber,
        invoicedTaxableCents: ZERO, invoicedTaxCents: ZERO, creditedTaxableCents: ZERO, creditedTaxCents: ZERO, netTaxableCents: ZERO, netTaxCents: ZERO };
      rows.set(key, row);
    }
    return row;
  };
  const sales = { taxableCents: ZERO, zeroRatedCents: ZERO, exemptCents: ZERO, creditedTaxableCents: ZERO, creditedZeroRatedCents: ZERO, creditedExemptCents: ZERO, netCents: ZERO };
  for (const invoice of invoices) {
    if (invoice.taxes.length === 0) {
      if (noTaxTreatment(invoice.taxNote) === "exempt") sales.exemptCents += invoice.subtotalCents;
      else sales.zeroRatedCents += invoice.subtotalCents;
      continue;
    }
    sales.taxableCents += invoice.subtotalCents;
    for (const tax of invoice.taxes) {
      const row = rowFor(tax, provinceOf(invoice));
      row.invoicedTaxableCents += tax.taxableAmountCents;
      row.invoicedTaxCents += tax.amountCents;
    }
  }
  for (const note of notes) {
    const invoice = note.invoice;
    if (invoice.taxes.length === 0) {
      if (noTaxTreatment(invoice.taxNote) === "exempt") sales.creditedExemptCents += note.subtotalCents;
      else sales.creditedZeroRatedCents += note.subtotalCents;
      continue;
    }
    sales.creditedTaxableCents += note.subtotalCents;
    for (const tax of creditedTaxes(note.subtotalCents, invoice.taxes)) {
      const row = rowFor(tax, provinceOf(invoice));
      row.creditedTaxableCents += note.subtotalCents;
      row.creditedTaxCents += tax.amountCents;
    }
  }
  sales.netCents = sales.taxableCents + sales.zeroRatedCents + sales.exemptCents - sales.creditedTaxableCents - sales.creditedZeroRatedCents - sales.creditedExemptCents;
  const sorted = [...rows.values()].sort((a, b) => a.code.localeCompare(b.code) || (a.province ?? "").localeCompare(b.province ?? "") || a.ratePercent.localeCompare(b.ratePercent) || (a.registrationNumber ?? "").localeCompare(b.registrationNumber ?? ""));
  for (const row of sorted) {
    row.netTaxableCents = row.invoicedTaxableCents - row.creditedTaxableCents;
    row.netTaxCents = row.invoicedTaxCents - row.creditedTaxCents;
  }
  const invoicedTaxCents = sorted.reduce((s, r) => s + r.invoicedTaxCents, ZERO);
  const creditedTaxCents = sorted.reduce((s, r) => s + r.creditedTaxCents, ZERO);
  return { rows: sorted, sales, invoiceCount: invoices.length, creditNoteCount: notes.length, totals: { invoicedTaxCents, creditedTaxCents, netTaxCents: invoicedTaxCents - creditedTaxCents } };
}

export function salesTaxCsv(report: SalesTaxReport): string {
  const rows: CsvCell[][] = report.rows.map((r) => [
    report.from, report.to, r.code, r.name, r.province, r.ratePercent, r.registrationNumber,
    r.invoicedTaxableCents, r.invoicedTaxCents, r.creditedTaxableCents, r.creditedTaxCents, r.netTaxableCents, r.netTaxCents,
  ]);
  const s = report.sales;
  rows.push([report.from, report.to, "ZERO_RATED", "Zero-rated sales", null, "0", null, s.zeroRatedCents, BigInt(0), s.creditedZeroRatedCents, BigInt(0), s.zeroRatedCents - s.creditedZeroRatedCents, BigInt(0)]);
  rows.push([report.from, report.to, "EXEMPT", "Exempt sales", null, "0", null, s.exemptCents, BigInt(0), s.creditedExemptCents, BigInt(0), s.exemptCents - s.creditedExemptCents, BigInt(0)]);
  rows.push([report.from, report.to, "TOTAL", "All taxes", null, null, null, null, report.totals.invoicedTaxCents, null, report.totals.creditedTaxCents, s.netCents, report.totals.netTaxCents]);
  // Documents in another currency follow, never in TOTAL: their tax column is prefixed with the currency ("USD:HST").
  for (const o of report.otherCurrencies) {
    const tag = (code: string) => `${o.currency}:${code}`;
    const apart = `in ${o.currency}, not in TOTAL: convert at the exchange rate of each document's tax point`;
    for (const r of o.rows) {
      rows.push([report.from, report.to, tag(r.code), `${r.name} (${apart})`, r.province, r.ratePercent, r.registrationNumber,
        r.invoicedTaxableCents, r.invoicedTaxCents, r.creditedTaxableCents, r.creditedTaxCents, r.netTaxableCents, r.netTaxCents]);
    }
    const os = o.sales;
    rows.push([report.from, report.to, tag("ZERO_RATED"), `Zero-rated sales (${apart})`, null, "0", null, os.zeroRatedCents, BigInt(0), os.creditedZeroRatedCents, BigInt(0), os.zeroRatedCents - os.creditedZeroRatedCents, BigInt(0)]);
    rows.push([report.from, report.to, tag("EXEMPT"), `Exempt sales (${apart})`, null, "0", null, os.exemptCents, BigInt(0), os.creditedExemptCents, BigInt(0), os.exemptCents - os.creditedExemptCents, BigInt(0)]);
    rows.push([report.from, report.to, tag("TOTAL"), `All taxes (${apart}; ${o.invoiceCount} invoice(s), ${o.creditNoteCount} credit note(s))`, null, null, null, null, o.totals.invoicedTaxCents, null, o.totals.creditedTaxCents, os.netCents, o.totals.netTaxCents]);
  }
  return toCsv(
    ["period_from", "period_to", "tax", "name", "province", "rate_percent", "registration_number", "invoiced_taxable", "invoiced_tax", "credited_taxable", "credited_tax", "net_taxable", "net_tax"],
    rows,
  );
}
