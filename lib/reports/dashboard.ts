import type { Db } from "@/lib/db/prisma";
import { addDays } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { roundToCents } from "@/lib/billing/money";
import type { PlanInterval } from "@/lib/generated/prisma/client";
import { amountDueCents } from "@/lib/payments/chargeability";
import { BOOKS_CURRENCY } from "./report-params";

/**
 * The console overview's figures, each the headline of a page that details it. Months are calendar months in Toronto,
 * where the books are kept.
 *
 * - MRR per service: the recurring plan fees of live, active subscriptions, as a monthly amount (weekly × 52 / 12,
 *   quarterly / 3, semiannual / 6, yearly / 12), rounded to the cent per service. Usage is not recurring revenue.
 * - Revenue this month per service: subtotals of invoices issued this month less credit notes issued this month (the
 *   sales tax report's rule).
 *
 * The figures add amounts, so they count the books' currency only (BOOKS_CURRENCY: a plan's currency for MRR, an
 * invoice's or credit note's otherwise). What is in another currency is given apart, per currency, in that currency —
 * never added to the dollars (the product holds no exchange rates).
 */
const MONTHLY_FACTOR: Record<PlanInterval, [number, number]> = { weekly: [52, 12], monthly: [1, 1], quarterly: [1, 3], semiannual: [1, 6], yearly: [1, 12] };

/** The dashboard's figures in a currency other than the books', in that currency: not in the headline figures. */
export interface DashboardOtherCurrency {
  currency: string;
  mrrCents: bigint;
  revenueCents: bigint;
  outstandingCents: bigint;
  openInvoices: number;
  overdueCents: bigint;
  overdueInvoices: number;
  dunningActive: number;
  dunningAmountCents: bigint;
}

export interface Dashboard {
  /** The currency of every amount below (but otherCurrencies'). */
  currency: string;
  month: { from: string; to: string };
  services: { id: string; code: string; name: string; mrrCents: bigint; revenueCents: bigint }[];
  receivables: { outstandingCents: bigint; overdueCents: bigint; overdueInvoices: number };
  dunning: { active: number; amountDueCents: bigint };
  lastBillingRun: { id: string; status: string; finishedAt: Date | null; createdAt: Date; invoicesCreated: number; failures: number; errors: unknown[] } | null;
  dualRun: { period: string | null; match: number; delta: number; error: number };
  /** Left out of the figures above, per currency (sorted), when there is any. */
  otherCurrencies: DashboardOtherCurrency[];
}

export async function dashboard(client: Db, today: string): Promise<Dashboard> {
  const from = `${today.slice(0, 7)}-01`;
  const nextMonth = addDays(`${from.slice(0, 7)}-28`, 4).slice(0, 7) + "-01";
  const to = addDays(nextMonth, -1);
  const services = await client.service.findMany({ orderBy: { name: "asc" }, select: { id: true, code: true, name: true, mode: true } });
  const subscriptions = await client.subscription.findMany({
    where: { status: "active", shadow: false, plan: { isNot: null }, service: { mode: "live" } },
    select: { serviceId: true, plan: { select: { amountCents: true, interval: true, currency: true } } },
  });
  const others = new Map<string, DashboardOtherCurrency & { mrr: ReturnType<typeof decimal> }>();
  const other = (currency: string) => others.get(currency) ?? others.set(currency, {
    currency, mrrCents: BigInt(0), revenueCents: BigInt(0), outstandingCents: BigInt(0), openInvoices: 0, overdueCents: BigInt(0), overdueInvoices: 0, dunningActive: 0, dunningAmountCents: BigInt(0), mrr: decimal(0),
  }).get(currency)!;
  const mrr = new Map<string, ReturnType<typeof decimal>>();
  for (const s of subscriptions) {
    const [times, per] = MONTHLY_FACTOR[s.plan!.interval];
    const monthly = decimal(s.plan!.amountCents.toString()).mul(times).div(per);
    if (s.plan!.currency !== BOOKS_CURRENCY) other(s.plan!.currency).mrr = other(s.plan!.currency).mrr.add(monthly);
    else mrr.set(s.serviceId, (mrr.get(s.serviceId) ?? decimal(0)).add(monthly));
  }
  const invoicedByCurrency = await client.invoice.groupBy({
    by: ["serviceId", "currency"],
    where: { shadow: false, invoiceType: { not: "credit" }, number: { not: null }, status: { in: ["finalized", "paid"] }, issuingDate: { gte: new Date(`${from}T00:00:00Z`), lt: new Date(`${nextMonth}T00:00:00Z`) } },
    _sum: { subtotalCents: true },
  });
  const creditedByCurrency = await client.$queryRaw<{ serviceId: string; currency: string; cents: bigint }[]>`
    SELECT i."serviceId", cn.currency, sum(cn."subtotalCents")::bigint AS cents
      FROM "CreditNote" cn JOIN "Invoice" i ON i.id = cn."invoiceId" JOIN "Customer" c ON c.id = cn."customerId"
     WHERE cn.status = 'issued' AND (cn."issuedAt" AT TIME ZONE c.timezone)::date BETWEEN ${from}::date AND ${to}::date
     GROUP BY i."serviceId", cn.currency`;
  const invoiced = invoicedByCurrency.filter((i) => i.currency === BOOKS_CURRENCY);
  const credited = creditedByCurrency.filter((c) => c.currency === BOOKS_CURRENCY);
  for (const i of invoicedByCurrency) if (i.currency !== BOOKS_CURRENCY) other(i.currency).revenueCents += i._sum.subtotalCents ?? BigInt(0);
  for (const c of creditedByCurrency) if (c.currency !== BOOKS_CURRENCY) other(c.currency).revenueCents -= c.cents;
  const open = await client.invoice.findMany({ where: { status: "finalized", shadow: false }, select: { status: true, currency: true, totalCents: true, creditsAppliedCents: true, amountPaidCents: true, paymentDueDate: true } });
  const receivables = { outstandingCents: BigInt(0), overdueCents: BigInt(0), overdueInvoices: 0 };
  for (const i of open) {
    const due = amountDueCents(i);
    const overdue = due > BigInt(0) && i.paymentDueDate !== null && i.paymentDueDate.toISOString().slice(0, 10) < today;
    if (i.currency !== BOOKS_CURRENCY) {
      const o = other(i.currency);
      o.outstandingCents += due;
      if (due > BigInt(0)) o.openInvoices += 1;
      if (overdue) {
        o.overdueCents += due;
        o.overdueInvoices += 1;
      }
      continue;
    }
    receivables.outstandingCents += due;
    if (overdue) {
      receivables.overdueCents += due;
      receivables.overdueInvoices += 1;
    }
  }
  const inDunning = await client.dunningProcess.findMany({ where: { status: "active" }, select: { invoice: { select: { status: true, currency: true, totalCents: true, creditsAppliedCents: true, amountPaidCents: true } } } });
  const dunning = { active: 0, amountDueCents: BigInt(0) };
  for (const d of inDunning) {
    if (d.invoice.currency === BOOKS_CURRENCY) {
      dunning.active += 1;
      dunning.amountDueCents += amountDueCents(d.invoice);
    } else {
      other(d.invoice.currency).dunningActive += 1;
      other(d.invoice.currency).dunningAmountCents += amountDueCents(d.invoice);
    }
  }
  const run = await client.billingRun.findFirst({ orderBy: { createdAt: "desc" } });
  const latest = await client.reconciliation.findFirst({ orderBy: { period: "desc" }, select: { period: true } });
  const counts = latest ? await client.reconciliation.groupBy({ by: ["status"], where: { period: latest.period }, _count: { _all: true } }) : [];
  const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
  return {
    currency: BOOKS_CURRENCY,
    month: { from, to },
    services: services.map((s) => ({
      id: s.id, code: s.code, name: s.name,
      mrrCents: roundToCents((mrr.get(s.id) ?? decimal(0)).div(100)),
      revenueCents: (invoiced.find((i) => i.serviceId === s.id)?._sum.subtotalCents ?? BigInt(0)) - (credited.find((c) => c.serviceId === s.id)?.cents ?? BigInt(0)),
    })),
    receivables,
    dunning,
    lastBillingRun: run ? { id: run.id, status: run.status, finishedAt: run.finishedAt, createdAt: run.createdAt, invoicesCreated: run.invoicesCreated, failures: run.failures, errors: run.errors as unknown[] } : null,
    dualRun: { period: latest?.period ?? null, match: count("match"), delta: count("delta"), error: count("error") },
    otherCurrencies: [...others.values()].sort((a, b) => a.currency.localeCompare(b.currency)).map(({ mrr: monthly, ...o }) => ({ ...o, mrrCents: roundToCents(monthly.div(100)) })),
  };
}
