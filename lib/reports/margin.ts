import type { Db } from "@/lib/db/prisma";
import { dollars, toCsv } from "./csv";
import { BOOKS_CURRENCY } from "./report-params";
import { nextMonth, revenueFacts } from "./revenue";

/**
 * Margin per service, customer and month: net revenue (invoiced less credited, before tax: the revenue report's
 * figures) less provider costs (POST /api/billing/v1/costs) of the month's days in Toronto. Margin % is margin /
 * revenue × 100 to two decimals, rounded half away from zero; it is null where there is no revenue.
 */
const ZERO = BigInt(0);

export interface MarginFigures {
  revenueCents: bigint;
  costCents: bigint;
  marginCents: bigint;
  /** "62.50" for 62.5 %; null without revenue. */
  marginPercent: string | null;
}

export interface MarginRow extends MarginFigures {
  month: string;
  serviceId: string;
  service: string;
  customerId: string;
  customer: string;
  /** Costs by type ("model_tokens" → cents). */
  costsByType: Record<string, bigint>;
}

export interface MarginReport {
  from: string;
  to: string;
  months: string[];
  rows: MarginRow[];
  byMonth: (MarginFigures & { month: string })[];
  byService: (MarginFigures & { serviceId: string; service: string })[];
  byCustomer: (MarginFigures & { customerId: string; customer: string })[];
  totals: MarginFigures;
}

/** margin / revenue as a percentage with two decimals, half away from zero, in exact integer arithmetic. */
export function marginPercent(marginCents: bigint, revenueCents: bigint): string | null {
  if (revenueCents <= ZERO) return null;
  const scaled = marginCents * BigInt(10000); // hundredths of a percent, times revenue
  const negative = scaled < ZERO;
  const abs = negative ? -scaled : scaled;
  const hundredths = (abs * BigInt(2) + revenueCents) / (revenueCents * BigInt(2));
  const text = `${hundredths / BigInt(100)}.${String(hundredths % BigInt(100)).padStart(2, "0")}`;
  return negative && hundredths !== ZERO ? `-${text}` : text;
}

const figures = (revenueCents: bigint, costCents: bigint): MarginFigures => ({
  revenueCents, costCents, marginCents: revenueCents - costCents, marginPercent: marginPercent(revenueCents - costCents, revenueCents),
});

export async function marginReport(client: Db, from: string, to: string, filter: { serviceId?: string; customerId?: string } = {}): Promise<MarginReport> {
  const { months, facts, services, customers } = await revenueFacts(client, from, to, filter);
  const rows = new Map<string, { month: string; serviceId: string; customerId: string; revenue: bigint; cost: bigint; costsByType: Record<string, bigint> }>();
  const row = (month: string, serviceId: string, customerId: string) => {
    const key = `${month}|${serviceId}|${customerId}`;
    return rows.get(key) ?? rows.set(key, { month, serviceId, customerId, revenue: ZERO, cost: ZERO, costsByType: {} }).get(key)!;
  };
  for (const f of facts) {
    if (f.kind === "invoiced") row(f.month, f.serviceId, f.customerId).revenue += f.cents;
    else if (f.kind === "credited") row(f.month, f.serviceId, f.customerId).revenue -= f.cents;
  }
  const costs = await client.providerCost.groupBy({
    by: ["costDate", "serviceId", "customerId", "costType"],
    where: {
      costDate: { gte: new Date(`${from}-01T00:00:00Z`), lt: new Date(`${nextMonth(to)}-01T00:00:00Z`) },
      currency: BOOKS_CURRENCY,
      ...(filter.serviceId ? { serviceId: filter.serviceId } : {}), ...(filter.customerId ? { customerId: filter.customerId } : {}),
    },
    _sum: { amountCents: true },
  });
  const missing = { services: new Set<string>(), customers: new Set<string>() };
  for (const c of costs) {
    const r = row(c.costDate.toISOString().slice(0, 7), c.serviceId, c.customerId);
    const cents = c._sum.amountCents ?? ZERO;
    r.cost += cents;
    r.costsByType[c.costType] = (r.costsByType[c.costType] ?? ZERO) + cents;
    if (!services.has(c.serviceId)) missing.services.add(c.serviceId);
    if (!customers.has(c.customerId)) missing.customers.add(c.customerId);
  }
  // Costs of customers with no revenue in the months: their names are read here.
  for (const s of await client.service.findMany({ where: { id: { in: [...missing.services] } }, select: { id: true, name: true } })) services.set(s.id, s.name);
  for (const c of await client.customer.findMany({ where: { id: { in: [...missing.customers] } }, select: { id: true, legalName: true } })) customers.set(c.id, c.legalName);

  const list: MarginRow[] = [...rows.values()]
    .map((r) => ({
      month: r.month, serviceId: r.serviceId, service: services.get(r.serviceId) ?? r.serviceId, customerId: r.customerId, customer: customers.get(r.customerId) ?? r.customerId,
      costsByType: r.costsByType, ...figures(r.revenue, r.cost),
    }))
    .sort((a, b) => a.month.localeCompare(b.month) || a.service.localeCompare(b.service) || a.customer.localeCompare(b.customer));
  const group = <K extends string>(key: (r: MarginRow) => K) => {
    const sums = new Map<K, { revenue: bigint; cost: bigint; sample: MarginRow }>();
    for (const r of list) {
      const s = sums.get(key(r)) ?? sums.set(key(r), { revenue: ZERO, cost: ZERO, sample: r }).get(key(r))!;
      s.revenue += r.revenueCents;
      s.cost += r.costCents;
    }
    return [...sums.values()];
  };
  const total = list.reduce((t, r) => ({ revenue: t.revenue + r.revenueCents, cost: t.cost + r.costCents }), { revenue: ZERO, cost: ZERO });
  const byMarginDesc = (a: MarginFigures, b: MarginFigures) => (b.marginCents > a.marginCents ? 1 : b.marginCents < a.marginCents ? -1 : 0);
  return {
    from, to, months, rows: list,
    byMonth: months.map((month) => {
      const inMonth = list.filter((r) => r.month === month);
      return { month, ...figures(inMonth.reduce((s, r) => s + r.revenueCents, ZERO), inMonth.reduce((s, r) => s + r.costCents, ZERO)) };
    }),
    byService: group((r) => r.serviceId).map((g) => ({ serviceId: g.sample.serviceId, service: g.sample.service, ...figures(g.revenue, g.cost) })).sort((a, b) => byMarginDesc(a, b) || a.service.localeCompare(b.service)),
    byCustomer: group((r) => r.customerId).map((g) => ({ customerId: g.sample.customerId, customer: g.sample.customer, ...figures(g.revenue, g.cost) })).sort((a, b) => byMarginDesc(a, b) || a.customer.localeCompare(b.customer)),
    totals: figures(total.revenue, total.cost),
  };
}

export function marginCsv(report: MarginReport): string {
  return toCsv(
    ["month", "service", "customer", "revenue", "cost", "margin", "margin_percent", "costs_by_type"],
    report.rows.map((r) => [
      r.month, r.service, r.customer, r.revenueCents, r.costCents, r.marginCents, r.marginPercent,
      Object.entries(r.costsByType).sort(([a], [b]) => a.localeCompare(b)).map(([type, cents]) => `${type}=${dollars(cents)}`).join(";"),
    ]),
  );
}
