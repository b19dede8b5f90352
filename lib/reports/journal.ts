import type { Db } from "@/lib/db/prisma";
import { addDays, localDate } from "@/lib/billing/calendar-date";
import { invalidField } from "@/lib/errors";
import { companyProfile } from "@/lib/invoicing/company-profile";
import { creditedTaxes } from "@/lib/invoicing/credit-notes";
import { dollars, toCsv } from "./csv";
import { BOOKS_CURRENCY } from "./report-params";
import { checkPeriod } from "./sales-tax";

/**
 * The double-entry journal of a period, one balanced entry per kind of event and day (or month):
 *
 * - invoices issued:     Dr accounts receivable (total) / Cr revenue per service (subtotal), Cr each tax payable
 * - credit notes issued: the reverse (Dr revenue, Dr tax payable / Cr accounts receivable)
 * - card payments:       Dr Stripe clearing / Cr accounts receivable;  card refunds: the reverse
 * - offline payments:    Dr cash / Cr accounts receivable (an overpayment leaves the customer's receivable in credit);
 *   their reversals: the reverse
 * - prepaid credit (wallets): a credit invoice is Dr accounts receivable / Cr prepaid credit (a liability, not revenue);
 *   credit spent on an invoice is Dr prepaid credit / Cr accounts receivable; granted credit is Dr promotional credits /
 *   Cr prepaid credit; voided or expired credit is Dr prepaid credit / Cr prepaid credit voided
 *
 * Dates follow the reports: an invoice's issue date, a credit note's issue date in the customer's timezone, a payment's
 * day in Toronto, an offline payment's received date. So revenue and tax of a period equal the sales tax report's.
 *
 * The accounts are kept in the books' currency (BOOKS_CURRENCY): only its documents, payments and credit are posted.
 * Events in another currency are counted apart per currency (`unposted`) — posting them would add foreign amounts to
 * Canadian-dollar accounts, and the product holds no exchange rates — for finance to book by hand, converted.
 */
export type JournalGrouping = "day" | "month";
export type JournalFormat = "quickbooks" | "xero";

export const DEFAULT_ACCOUNTS: Record<string, string> = {
  ar: "1200 Accounts Receivable",
  cash: "1010 Bank",
  stripe_clearing: "1015 Stripe Clearing",
  revenue: "4000 Sales",
  "tax.GST": "2310 GST/HST Payable",
  "tax.HST": "2310 GST/HST Payable",
  "tax.QST": "2320 QST Payable",
  "tax.BC_PST": "2330 BC PST Payable",
  "tax.MB_RST": "2340 MB RST Payable",
  "tax.SK_PST": "2350 SK PST Payable",
  prepaid_credit: "2400 Prepaid Credit (customer deposits)",
  promotional_credit: "6150 Promotional Credits",
  prepaid_credit_voided: "4900 Prepaid Credit Voided or Expired",
};

export interface JournalLine {
  account: string;
  debitCents: bigint;
  creditCents: bigint;
  description: string;
}

export interface JournalEntry {
  number: number;
  date: string;
  memo: string;
  lines: JournalLine[];
}

/** Events of the period in a currency other than the books', not posted: how many of each kind. */
export interface UnpostedCurrency {
  currency: string;
  invoices: number;
  creditNotes: number;
  cardPayments: number;
  cardRefunds: number;
  offlinePayments: number;
  offlinePaymentReversals: number;
  walletMoves: number;
}

export interface Journal {
  from: string;
  to: string;
  grouping: JournalGrouping;
  entries: JournalEntry[];
  /** Revenue (net of credit notes) and tax (net) over the period, for tying to the reports. */
  revenueCents: bigint;
  taxCents: bigint;
  /** Per currency (sorted), when there is any. */
  unposted: UnpostedCurrency[];
}

/** "key = account" lines (the settings form) → overrides; unknown keys are refused. */
export function parseAccountOverrides(text: string): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-z_]+(?:\.[A-Za-z0-9_-]+)?)\s*=\s*(.{1,100})$/.exec(line);
    const key = match?.[1];
    if (!match || !key || !(key in DEFAULT_ACCOUNTS || key.startsWith("revenue.") || key.startsWith("tax."))) {
      throw invalidField("journal_accounts", "value_is_invalid", `Line ${index + 1}: write key = account, e.g. revenue.nexachat = 4010 Chat revenue.`);
    }
    overrides[key] = match[2].trim();
  }
  return overrides;
}

export function formatAccountOverrides(overrides: unknown): string {
  return Object.entries((overrides ?? {}) as Record<string, string>).map(([k, v]) => `${k} = ${v}`).join("\n");
}

const ZERO = BigInt(0);

export async function journal(client: Db, from: string, to: string, grouping: JournalGrouping = "day"): Promise<Journal> {
  checkPeriod(from, to);
  const accounts = { ...DEFAULT_ACCOUNTS, ...((await companyProfile(client)).journalAccounts as Record<string, string>) };
  const account = (key: string, fallback: string) => accounts[key] ?? accounts[fallback];
  const start = new Date(`${from}T00:00:00Z`);
  const endExclusive = new Date(`${addDays(to, 1)}T00:00:00Z`);
  // Instants that can fall on the period's days in any Canadian timezone; the exact local date is checked below.
  const wideStart = new Date(start.getTime() - 86_400_000);
  const wideEnd = new Date(endExclusive.getTime() + 86_400_000);
  const inPeriod = (date: string) => date >= from && date <= to;
  const bucket = (date: string) => (grouping === "month" ? `${date.slice(0, 7)}-01` : date);

  const entries = new Map<string, Map<string, { debit: bigint; credit: bigint }>>();
  const post = (date: string, kind: string, accountName: string, debit: bigint, credit: bigint) => {
    const key = `${bucket(date)}|${kind}`;
    const lines = entries.get(key) ?? entries.set(key, new Map()).get(key)!;
    const line = lines.get(accountName) ?? lines.set(accountName, { debit: ZERO, credit: ZERO }).get(accountName)!;
    line.debit += debit;
    line.credit += credit;
  };
  let revenueCents = ZERO;
  let taxCents = ZERO;
  const unposted = new Map<string, UnpostedCurrency>();
  /** False (and counted) for an event in another currency than the books'. */
  const posts = (currency: string, kind: Exclude<keyof UnpostedCurrency, "currency">) => {
    if (currency === BOOKS_CURRENCY) return true;
    const u = unposted.get(currency) ?? unposted.set(currency, { currency, invoices: 0, creditNotes: 0, cardPayments: 0, cardRefunds: 0, offlinePayments: 0, offlinePaymentReversals: 0, walletMoves: 0 }).get(currency)!;
    u[kind] += 1;
    return false;
  };

  const invoices = await client.invoice.findMany({
    where: { shadow: false, number: { not: null }, status: { in: ["finalized", "paid"] }, issuingDate: { gte: start, lt: endExclusive } },
    select: { issuingDate: true, currency: true, invoiceType: true, subtotalCents: true, totalCents: true, prepaidCreditCents: true, service: { select: { code: true } }, taxes: { select: { code: true, amountCents: true } } },
  });
  for (const i of invoices) {
    const date = i.issuingDate!.toISOString().slice(0, 10);
    if (!posts(i.currency, "invoices")) continue;
    if (i.invoiceType === "credit") {
      post(date, "Prepaid credit sold", accounts.ar, i.totalCents, ZERO);
      post(date, "Prepaid credit sold", accounts.prepaid_credit, ZERO, i.subtotalCents);
      continue;
    }
    post(date, "Invoices issued", accounts.ar, i.totalCents, ZERO);
    post(date, "Invoices issued", account(`revenue.${i.service.code}`, "revenue"), ZERO, i.subtotalCents);
    revenueCents += i.subtotalCents;
    if (i.prepaidCreditCents > ZERO) {
      post(date, "Prepaid credit applied", accounts.prepaid_credit, i.prepaidCreditCents, ZERO);
      post(date, "Prepaid credit applied", accounts.ar, ZERO, i.prepaidCreditCents);
    }
    for (const t of i.taxes) {
      post(date, "Invoices issued", account(`tax.${t.code}`, "tax.GST"), ZERO, t.amountCents);
      taxCents += t.amountCents;
    }
  }

  const notes = await client.creditNote.findMany({
    where: { status: "issued", issuedAt: { gte: wideStart, lt: wideEnd } },
    select: { issuedAt: true, currency: true, subtotalCents: true, totalCents: true, customer: { select: { timezone: true } }, invoice: { select: { service: { select: { code: true } }, taxes: true } } },
  });
  for (const n of notes) {
    const date = localDate(n.issuedAt!, n.customer.timezone);
    if (!inPeriod(date) || !posts(n.currency, "creditNotes")) continue;
    post(date, "Credit notes issued", account(`revenue.${n.invoice.service.code}`, "revenue"), n.subtotalCents, ZERO);
    revenueCents -= n.subtotalCents;
    let taxes = ZERO;
    for (const t of creditedTaxes(n.subtotalCents, n.invoice.taxes)) {
      post(date, "Credit notes issued", account(`tax.${t.code}`, "tax.GST"), t.amountCents, ZERO);
      taxes += t.amountCents;
    }
    taxCents -= taxes;
    post(date, "Credit notes issued", accounts.ar, ZERO, n.subtotalCents + taxes);
  }

  const cardPayments = await client.payment.findMany({
    where: { provider: "stripe", status: { in: ["succeeded", "refunded"] }, createdAt: { gte: wideStart, lt: wideEnd } },
    select: { createdAt: true, currency: true, amountCents: true },
  });
  for (const p of cardPayments) {
    const date = localDate(p.createdAt, "America/Toronto");
    if (!inPeriod(date) || !posts(p.currency, "cardPayments")) continue;
    post(date, "Card payments", accounts.stripe_clearing, p.amountCents, ZERO);
    post(date, "Card payments", accounts.ar, ZERO, p.amountCents);
  }
  const refunds = await client.refund.findMany({ where: { status: "succeeded", createdAt: { gte: wideStart, lt: wideEnd } }, select: { createdAt: true, amountCents: true, payment: { select: { currency: true } } } });
  for (const r of refunds) {
    const date = localDate(r.createdAt, "America/Toronto");
    if (!inPeriod(date) || !posts(r.payment.currency, "cardRefunds")) continue;
    post(date, "Card refunds", accounts.ar, r.amountCents, ZERO);
    post(date, "Card refunds", accounts.stripe_clearing, ZERO, r.amountCents);
  }

  const receipts = await client.paymentReceipt.findMany({
    where: { OR: [{ receivedOn: { gte: start, lt: endExclusive } }, { reversedAt: { gte: wideStart, lt: wideEnd } }] },
    select: { receivedOn: true, currency: true, amountCents: true, reversedAt: true },
  });
  for (const r of receipts) {
    const received = r.receivedOn.toISOString().slice(0, 10);
    if (inPeriod(received) && posts(r.currency, "offlinePayments")) {
      post(received, "Offline payments", accounts.cash, r.amountCents, ZERO);
      post(received, "Offline payments", accounts.ar, ZERO, r.amountCents);
    }
    const reversed = r.reversedAt ? localDate(r.reversedAt, "America/Toronto") : null;
    if (reversed && inPeriod(reversed) && posts(r.currency, "offlinePaymentReversals")) {
      post(reversed, "Offline payment reversals", accounts.ar, r.amountCents, ZERO);
      post(reversed, "Offline payment reversals", accounts.cash, ZERO, r.amountCents);
    }
  }

  // Granted credit (not the credit a voided invoice gives back: that invoice and its consumption are not posted) and
  // voided or expired credit, on the day they settled in Toronto.
  const walletMoves = await client.walletTransaction.findMany({
    where: { status: "settled", settledAt: { gte: wideStart, lt: wideEnd }, OR: [{ kind: "granted", invoiceId: null }, { kind: "voided" }] },
    select: { kind: true, settledAt: true, amountCents: true, wallet: { select: { currency: true } } },
  });
  for (const m of walletMoves) {
    const date = localDate(m.settledAt!, "America/Toronto");
    if (!inPeriod(date) || !posts(m.wallet.currency, "walletMoves")) continue;
    if (m.kind === "granted") {
      post(date, "Prepaid credit granted", accounts.promotional_credit, m.amountCents, ZERO);
      post(date, "Prepaid credit granted", accounts.prepaid_credit, ZERO, m.amountCents);
    } else {
      post(date, "Prepaid credit voided", accounts.prepaid_credit, m.amountCents, ZERO);
      post(date, "Prepaid credit voided", accounts.prepaid_credit_voided, ZERO, m.amountCents);
    }
  }

  const sorted = [...entries.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    from, to, grouping, revenueCents, taxCents,
    unposted: [...unposted.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    entries: sorted.map(([key, lines], index) => {
      const [date, memo] = key.split("|");
      return {
        number: index + 1,
        date,
        memo: `${memo} ${grouping === "month" ? date.slice(0, 7) : date}`,
        lines: [...lines.entries()]
          .map(([accountName, l]) => {
            // One side per account line: what is left after netting debits and credits.
            const net = l.debit - l.credit;
            return { account: accountName, debitCents: net > ZERO ? net : ZERO, creditCents: net < ZERO ? -net : ZERO, description: memo };
          })
          .filter((l) => l.debitCents !== ZERO || l.creditCents !== ZERO)
          .sort((a, b) => (b.debitCents > ZERO ? 1 : 0) - (a.debitCents > ZERO ? 1 : 0) || a.account.localeCompare(b.account)),
      };
    }).filter((e) => e.lines.length > 0),
  };
}

/**
 * QuickBooks Online's journal entry import (Journal No, Journal Date, Account, Debits, Credits, Description) or Xero's
 * manual journal import (Narration, Date, Description, AccountCode, TaxRate, Amount: debits positive, credits negative).
 */
export function journalCsv(j: Journal, format: JournalFormat): string {
  if (format === "xero") {
    return toCsv(
      ["*Narration", "*Date", "Description", "*AccountCode", "*TaxRate", "*Amount"],
      j.entries.flatMap((e) => e.lines.map((l) => [e.memo, e.date, l.description, l.account, "Tax Exempt", l.debitCents > ZERO ? l.debitCents : -l.creditCents])),
    );
  }
  return toCsv(
    ["Journal No", "Journal Date", "Account", "Debits", "Credits", "Description", "Memo"],
    j.entries.flatMap((e) => e.lines.map((l) => [`NB-${String(e.number).padStart(5, "0")}`, e.date, l.account, l.debitCents > ZERO ? dollars(l.debitCents) : null, l.creditCents > ZERO ? dollars(l.creditCents) : null, l.description, e.memo])),
  );
}
