import type { Db } from "@/lib/db/prisma";
import { addDays, localDate, startOfLocalDay } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { roundToCents } from "@/lib/billing/money";
import { invalidField } from "@/lib/errors";
import type { PlanInterval } from "@/lib/generated/prisma/client";
import { toCsv } from "./csv";
import { BOOKS_CURRENCY, BOOKS_TIMEZONE } from "./report-params";

/**
 * Revenue by service, plan and month, and MRR movements. Months are calendar months; the dates follow the other
 * reports (so the figures tie to the sales tax report and the journal):
 *
 * - invoiced: invoice lines of invoices issued in the month (finalized or paid, not shadow, not voided), before tax,
 *   by the plan of the line's charge or subscription ("No plan" for one-off lines);
 * - credited: credit notes issued in the month (their issue date in the customer's timezone), before tax; a credit-note
 *   line tied to an invoice line takes that line's plan, the rest goes to the invoice's plan when it has one, else
 *   "No plan";
 * - collected: money received against the invoices, tax included (cash, as the journal posts it): card payments on
 *   their day in Toronto less card refunds on theirs, offline payments on their received date less their reversals,
 *   attributed to a plan like unlinked credit. An overpayment left as credit balance belongs to no service and is not
 *   here.
 * - MRR: the recurring plan fees of live, non-shadow subscriptions that have started and not ended, as a monthly
 *   amount (weekly × 52 / 12, quarterly / 3, …), each subscription rounded to the cent. Movements compare each
 *   customer's MRR per service at the start of the month (midnight in Toronto) with the start of the next: from zero
 *   is new, to zero churn, up expansion, down contraction; opening + new + expansion − contraction − churn = closing.
 */
const ZERO = BigInt(0);
const MONTHLY_FACTOR: Record<PlanInterval, [number, number]> = { weekly: [52, 12], monthly: [1, 1], quarterly: [1, 3], semiannual: [1, 6], yearly: [1, 12] };
export const NO_PLAN = "No plan";

export const isMonth = (value: string) => /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
export const nextMonth = (month: string) => addDays(`${month}-28`, 4).slice(0, 7);
const firstDay = (month: string) => `${month}-01`;

/** The months from `from` to `to` inclusive (YYYY-MM); at most 36. */
export function monthRange(from: string, to: string): string[] {
  if (!isMonth(from)) throw invalidField("from", "value_is_invalid", "from must be a month (YYYY-MM).");
  if (!isMonth(to)) throw invalidField("to", "value_is_invalid", "to must be a month (YYYY-MM).");
  if (to < from) throw invalidField("to", "value_is_out_of_range", "to is before from.");
  const months = [from];
  while (months[months.length - 1] < to) {
    months.push(nextMonth(months[months.length - 1]));
    if (months.length > 36) throw invalidField("to", "value_is_out_of_range", "A report covers at most 36 months.");
  }
  return months;
}

/** One amount of revenue, credit or collection, on a month, for a service, customer and plan. */
export interface RevenueFact {
  month: string;
  kind: "invoiced" | "credited" | "collected";
  serviceId: string;
  customerId: string;
  planId: string | null;
  cents: bigint;
}

export interface RevenueFacts {
  months: string[];
  facts: RevenueFact[];
  services: Map<string, string>;
  customers: Map<string, string>;
  plans: Map<string, string>;
}

const planOfLine = (line: { charge: { planId: string | null } | null; subscription: { planId: string | null } | null }) => line.charge?.planId ?? line.subscription?.planId ?? null;

/** Every revenue fact of the months, read once; the revenue and margin reports aggregate them. */
export async function revenueFacts(client: Db, from: string, to: string, filter: { serviceId?: string; customerId?: string } = {}): Promise<RevenueFacts> {
  const months = monthRange(from, to);
  const start = new Date(`${firstDay(from)}T00:00:00Z`);
  const endExclusive = new Date(`${firstDay(nextMonth(to))}T00:00:00Z`);
  // Instants that can fall on the months' days in any timezone; the exact local date is checked below.
  const wideStart = new Date(start.getTime() - 2 * 86_400_000);
  const wideEnd = new Date(endExclusive.getTime() + 2 * 86_400_000);
  const inRange = (date: string) => date >= firstDay(from) && date < firstDay(nextMonth(to));
  const byFilter = { currency: BOOKS_CURRENCY, ...(filter.serviceId ? { serviceId: filter.serviceId } : {}), ...(filter.customerId ? { customerId: filter.customerId } : {}) };
  const facts: RevenueFact[] = [];
  const services = new Map<string, string>();
  const customers = new Map<string, string>();
  const lineSelect = { id: true, amountCents: true, charge: { select: { planId: true } }, subscription: { select: { planId: true } } } as const;
  const invoiceSelect = {
    id: true, serviceId: true, customerId: true, subtotalCents: true,
    service: { select: { name: true } }, customer: { select: { legalName: true } }, lines: { select: lineSelect },
  } as const;
  const note = (i: { serviceId: string; customerId: string; service: { name: string }; customer: { legalName: string } }) => {
    services.set(i.serviceId, i.service.name);
    customers.set(i.customerId, i.customer.legalName);
  };
  /** The plan an amount not tied to a line goes to: the invoice's only plan, else none. */
  const invoicePlan = (lines: { charge: { planId: string | null } | null; subscription: { planId: string | null } | null }[]) => {
    const plans = new Set(lines.map(planOfLine));
    return plans.size === 1 ? [...plans][0] : null;
  };

  const invoices = await client.invoice.findMany({
    // A prepaid-credit sale (credit invoice) is a liability, not revenue: the usage it pays for is counted when invoiced.
    where: { shadow: false, invoiceType: { not: "credit" }, number: { not: null }, status: { in: ["finalized", "paid"] }, issuingDate: { gte: start, lt: endExclusive }, ...byFilter },
    select: { ...invoiceSelect, issuingDate: true },
  });
  for (const i of invoices) {
    note(i);
    const month = i.issuingDate!.toISOString().slice(0, 7);
    const base = { month, kind: "invoiced" as const, serviceId: i.serviceId, customerId: i.customerId };
    let lines = ZERO;
    for (const l of i.lines) {
      facts.push({ ...base, planId: planOfLine(l), cents: l.amountCents });
      lines += l.amountCents;
    }
    // The subtotal is the sum of the lines; should an older invoice differ, the difference still counts (as no plan).
    if (lines !== i.subtotalCents) facts.push({ ...base, planId: null, cents: i.subtotalCents - lines });
  }

  const notes = await client.creditNote.findMany({
    where: { status: "issued", issuedAt: { gte: wideStart, lt: wideEnd }, invoice: { shadow: false, ...byFilter } },
    select: {
      issuedAt: true, subtotalCents: true, customer: { select: { timezone: true } },
      lines: { select: { amountCents: true, invoiceLineId: true } }, invoice: { select: invoiceSelect },
    },
  });
  for (const n of notes) {
    const date = localDate(n.issuedAt!, n.customer.timezone);
    if (!inRange(date)) continue;
    note(n.invoice);
    const base = { month: date.slice(0, 7), kind: "credited" as const, serviceId: n.invoice.serviceId, customerId: n.invoice.customerId };
    const lineById = new Map(n.invoice.lines.map((l) => [l.id, l]));
    let linked = ZERO;
    for (const l of n.lines) {
      const line = l.invoiceLineId ? lineById.get(l.invoiceLineId) : undefined;
      if (!line) continue;
      facts.push({ ...base, planId: planOfLine(line), cents: l.amountCents });
      linked += l.amountCents;
    }
    if (n.subtotalCents !== linked) facts.push({ ...base, planId: invoicePlan(n.invoice.lines), cents: n.subtotalCents - linked });
  }

  const collected = (date: string, invoice: Parameters<typeof note>[0] & { lines: Parameters<typeof invoicePlan>[0] }, cents: bigint) => {
    if (!inRange(date)) return;
    note(invoice);
    facts.push({ month: date.slice(0, 7), kind: "collected", serviceId: invoice.serviceId, customerId: invoice.customerId, planId: invoicePlan(invoice.lines), cents });
  };
  const invoiceFilter = { shadow: false, ...byFilter };
  const cardPayments = await client.payment.findMany({
    where: { provider: "stripe", status: { in: ["succeeded", "refunded"] }, createdAt: { gte: wideStart, lt: wideEnd }, invoice: invoiceFilter },
    select: { createdAt: true, amountCents: true, invoice: { select: invoiceSelect } },
  });
  for (const p of cardPayments) collected(localDate(p.createdAt, BOOKS_TIMEZONE), p.invoice!, p.amountCents);
  const refunds = await client.refund.findMany({
    where: { status: "succeeded", createdAt: { gte: wideStart, lt: wideEnd }, payment: { invoice: invoiceFilter } },
    select: { createdAt: true, amountCents: true, payment: { select: { invoice: { select: invoiceSelect } } } },
  });
  for (const r of refunds) collected(localDate(r.createdAt, BOOKS_TIMEZONE), r.payment.invoice!, -r.amountCents);
  const offline = await client.payment.findMany({
    where: {
      receiptId: { not: null }, invoice: invoiceFilter,
      OR: [{ status: "succeeded" }, { status: "canceled", failureCode: "reversed" }],
      receipt: { OR: [{ receivedOn: { gte: start, lt: endExclusive } }, { reversedAt: { gte: wideStart, lt: wideEnd } }] },
    },
    select: { amountCents: true, status: true, receipt: { select: { receivedOn: true, reversedAt: true } }, invoice: { select: invoiceSelect } },
  });
  for (const p of offline) {
    collected(p.receipt!.receivedOn.toISOString().slice(0, 10), p.invoice!, p.amountCents);
    if (p.status === "canceled" && p.receipt!.reversedAt) collected(localDate(p.receipt!.reversedAt, BOOKS_TIMEZONE), p.invoice!, -p.amountCents);
  }

  const planIds = [...new Set(facts.map((f) => f.planId).filter((id): id is string => id !== null))];
  const plans = new Map((await client.plan.findMany({ where: { id: { in: planIds } }, select: { id: true, name: true, code: true } })).map((p) => [p.id, `${p.name} (${p.code})`]));
  return { months, facts, services, customers, plans };
}

export interface RevenueRow {
  month: string;
  serviceId: string;
  service: string;
  planId: string | null;
  plan: string;
  invoicedCents: bigint;
  creditedCents: bigint;
  netCents: bigint;
  collectedCents: bigint;
}

export interface MrrMovement {
  month: string;
  serviceId: string | null;
  service: string;
  openingCents: bigint;
  newCents: bigint;
  expansionCents: bigint;
  contractionCents: bigint;
  churnCents: bigint;
  closingCents: bigint;
}

export interface RevenueReport {
  from: string;
  to: string;
  months: string[];
  rows: RevenueRow[];
  byMonth: { month: string; invoicedCents: bigint; creditedCents: bigint; netCents: bigint; collectedCents: bigint }[];
  totals: { invoicedCents: bigint; creditedCents: bigint; netCents: bigint; collectedCents: bigint };
  /** Per month and service, then the month's total over every service (serviceId null). */
  mrr: MrrMovement[];
}

export async function revenueReport(client: Db, from: string, to: string, filter: { serviceId?: string } = {}): Promise<RevenueReport> {
  const { months, facts, services, plans } = await revenueFacts(client, from, to, filter);
  const rows = new Map<string, RevenueRow>();
  for (const f of facts) {
    const key = `${f.month}|${f.serviceId}|${f.planId ?? ""}`;
    const row = rows.get(key) ?? rows.set(key, {
      month: f.month, serviceId: f.serviceId, service: services.get(f.serviceId) ?? f.serviceId, planId: f.planId, plan: f.planId ? plans.get(f.planId) ?? f.planId : NO_PLAN,
      invoicedCents: ZERO, creditedCents: ZERO, netCents: ZERO, collectedCents: ZERO,
    }).get(key)!;
    if (f.kind === "invoiced") row.invoicedCents += f.cents;
    else if (f.kind === "credited") row.creditedCents += f.cents;
    else row.collectedCents += f.cents;
    row.netCents = row.invoicedCents - row.creditedCents;
  }
  const sorted = [...rows.values()].sort((a, b) => a.month.localeCompare(b.month) || a.service.localeCompare(b.service) || (a.planId === null ? 1 : 0) - (b.planId === null ? 1 : 0) || a.plan.localeCompare(b.plan));
  const sum = (list: RevenueRow[]) => ({
    invoicedCents: list.reduce((s, r) => s + r.invoicedCents, ZERO), creditedCents: list.reduce((s, r) => s + r.creditedCents, ZERO),
    netCents: list.reduce((s, r) => s + r.netCents, ZERO), collectedCents: list.reduce((s, r) => s + r.collectedCents, ZERO),
  });
  return {
    from, to, months, rows: sorted,
    byMonth: months.map((month) => ({ month, ...sum(sorted.filter((r) => r.month === month)) })),
    totals: sum(sorted),
    mrr: await mrrMovements(client, months, filter),
  };
}

/** MRR movements of each month (see the module comment). */
export async function mrrMovements(client: Db, months: string[], filter: { serviceId?: string } = {}): Promise<MrrMovement[]> {
  const instants = [...months, nextMonth(months[months.length - 1])].map((m) => startOfLocalDay(firstDay(m), BOOKS_TIMEZONE));
  const subscriptions = await client.subscription.findMany({
    where: {
      shadow: false, planId: { not: null }, plan: { currency: BOOKS_CURRENCY }, startedAt: { not: null, lt: instants[instants.length - 1] }, service: { mode: "live" },
      OR: [{ terminatedAt: null }, { terminatedAt: { gt: instants[0] } }], ...(filter.serviceId ? { serviceId: filter.serviceId } : {}),
    },
    select: { customerId: true, serviceId: true, startedAt: true, terminatedAt: true, service: { select: { name: true } }, plan: { select: { amountCents: true, interval: true } } },
  });
  const monthly = subscriptions.map((s) => {
    const [times, per] = MONTHLY_FACTOR[s.plan!.interval];
    return { ...s, cents: roundToCents(decimal(s.plan!.amountCents.toString()).mul(times).div(per).div(100)) };
  });
  /** MRR per customer and service at an instant. */
  const at = (instant: Date) => {
    const mrr = new Map<string, bigint>();
    for (const s of monthly) {
      if (s.startedAt! > instant || (s.terminatedAt && s.terminatedAt <= instant)) continue;
      const key = `${s.serviceId}|${s.customerId}`;
      mrr.set(key, (mrr.get(key) ?? ZERO) + s.cents);
    }
    return mrr;
  };
  const serviceNames = new Map(monthly.map((s) => [s.serviceId, s.service.name]));
  const snapshots = instants.map(at);
  const result: MrrMovement[] = [];
  months.forEach((month, index) => {
    const [opening, closing] = [snapshots[index], snapshots[index + 1]];
    const perService = new Map<string, MrrMovement>();
    const row = (serviceId: string) => perService.get(serviceId) ?? perService.set(serviceId, {
      month, serviceId, service: serviceNames.get(serviceId) ?? serviceId, openingCents: ZERO, newCents: ZERO, expansionCents: ZERO, contractionCents: ZERO, churnCents: ZERO, closingCents: ZERO,
    }).get(serviceId)!;
    for (const key of new Set([...opening.keys(), ...closing.keys()])) {
      const serviceId = key.split("|")[0];
      const [before, after] = [opening.get(key) ?? ZERO, closing.get(key) ?? ZERO];
      const r = row(serviceId);
      r.openingCents += before;
      r.closingCents += after;
      if (before === ZERO && after > ZERO) r.newCents += after;
      else if (before > ZERO && after === ZERO) r.churnCents += before;
      else if (after > before) r.expansionCents += after - before;
      else r.contractionCents += before - after;
    }
    const rows = [...perService.values()].sort((a, b) => a.service.localeCompare(b.service));
    const total: MrrMovement = { month, serviceId: null, service: "All services", openingCents: ZERO, newCents: ZERO, expansionCents: ZERO, contractionCents: ZERO, churnCents: ZERO, closingCents: ZERO };
    for (const r of rows) {
      for (const k of ["openingCents", "newCents", "expansionCents", "contractionCents", "churnCents", "closingCents"] as const) total[k] += r[k];
    }
    result.push(...rows, total);
  });
  return result;
}

export function revenueCsv(report: RevenueReport): string {
  return toCsv(
    ["month", "service", "plan", "invoiced", "credited", "net_revenue", "collected"],
    report.rows.map((r) => [r.month, r.service, r.plan, r.invoicedCents, r.creditedCents, r.netCents, r.collectedCents]),
  );
}

export function mrrCsv(report: RevenueReport): string {
  return toCsv(
    ["month", "service", "opening_mrr", "new", "expansion", "contraction", "churn", "closing_mrr"],
    report.mrr.map((m) => [m.month, m.service, m.openingCents, m.newCents, m.expansionCents, m.contractionCents, m.churnCents, m.closingCents]),
  );
}
