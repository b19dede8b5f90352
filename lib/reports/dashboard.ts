import type { Db } from "@/lib/db/prisma";
import { addDays } from "@/lib/billing/calendar-date";
import { decimal } from "@/lib/billing/decimal";
import { roundToCents } from "@/lib/billing/money";
import type { PlanInterval } from "@/lib/generated/prisma/client";
import { amountDueCents } from "@/lib/payments/chargeability";

/**
 * The console overview's figures, each the headline of a page that details it. Months are calendar months in Toronto,
 * where the books are kept.
 *
 * - MRR per service: the recurring plan fees of live, active subscriptions, as a monthly amount (weekly × 52 / 12,
 *   quarterly / 3, semiannual / 6, yearly / 12), rounded to the cent per service. Usage is not recurring revenue.
 * - Revenue this month per service: subtotals of invoices issued this month less credit notes issued this month (the
 *   sales tax report's rule).
 */
const MONTHLY_FACTOR: Record<PlanInterval, [number, number]> = { weekly: [52, 12], monthly: [1, 1], quarterly: [1, 3], semiannual: [1, 6], yearly: [1, 12] };

export interface Dashboard {
  month: { from: string; to: string };
  services: { id: string; code: string; name: string; mrrCents: bigint; revenueCents: bigint }[];
  receivables: { outstandingCents: bigint; overdueCents: bigint; overdueInvoices: number };
  dunning: { active: number; amountDueCents: bigint };
  lastBillingRun: { id: string; status: string; finishedAt: Date | null; createdAt: Date; invoicesCreated: number; failures: number; errors: unknown[] } | null;
  dualRun: { period: string | null; match: number; delta: number; error: number };
}

export async function dashboard(client: Db, today: string): Promise<Dashboard> {
  const from = `${today.slice(0, 7)}-01`;
  const nextMonth = addDays(`${from.slice(0, 7)}-28`, 4).slice(0, 7) + "-01";
  const to = addDays(nextMonth, -1);
  const services = await client.service.findMany({ orderBy: { name: "asc" }, select: { id: true, code: true, name: true, mode: true } });
  const subscriptions = await client.subscription.findMany({
    where: { status: "active", shadow: false, plan: { isNot: null }, service: { mode: "live" } },
    select: { serviceId: true, plan: { select: { amountCents: true, interval: true } } },
  });
  const mrr = new Map<string, ReturnType<typeof decimal>>();
  for (const s of subscriptions) {
    const [times, per] = MONTHLY_FACTOR[s.plan!.interval];
    mrr.set(s.serviceId, (mrr.get(s.serviceId) ?? decimal(0)).add(decimal(s.plan!.amountCents.toString()).mul(times).div(per)));
  }
  const invoiced = await client.invoice.groupBy({
    by: ["serviceId"],
    where: { shadow: false, invoiceType: { not: "credit" }, number: { not: null }, status: { in: ["finalized", "paid"] }, issuingDate: { gte: new Date(`${from}T00:00:00Z`), lt: new Date(`${nextMonth}T00:00:00Z`) } },
    _sum: { subtotalCents: true },
  });
  const credited = await client.$queryRaw<{ serviceId: string; cents: bigint }[]>`
    SELECT i."serviceId", sum(cn."subtotalCents")::bigint AS cents
      FROM "CreditNote" cn JOIN "Invoice" i ON i.id = cn."invoiceId" JOIN "Customer" c ON c.id = cn."customerId"
     WHERE cn.status = 'issued' AND (cn."issuedAt" AT TIME ZONE c.timezone)::date BETWEEN ${from}::date AND ${to}::date
     GROUP BY i."serviceId"`;
  const open = await client.invoice.findMany({ where: { status: "finalized", shadow: false }, select: { status: true, totalCents: true, creditsAppliedCents: true, amountPaidCents: true, paymentDueDate: true } });
  const receivables = { outstandingCents: BigInt(0), overdueCents: BigInt(0), overdueInvoices: 0 };
  for (const i of open) {
    const due = amountDueCents(i);
    receivables.outstandingCents += due;
    if (due > BigInt(0) && i.paymentDueDate && i.paymentDueDate.toISOString().slice(0, 10) < today) {
      receivables.overdueCents += due;
      receivables.overdueInvoices += 1;
    }
  }
  const inDunning = await client.dunningProcess.findMany({ where: { status: "active" }, select: { invoice: { select: { status: true, totalCents: true, creditsAppliedCents: true, amountPaidCents: true } } } });
  const run = await client.billingRun.findFirst({ orderBy: { createdAt: "desc" } });
  const latest = await client.reconciliation.findFirst({ orderBy: { period: "desc" }, select: { period: true } });
  const counts = latest ? await client.reconciliation.groupBy({ by: ["status"], where: { period: latest.period }, _count: { _all: true } }) : [];
  const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
  return {
    month: { from, to },
    services: services.map((s) => ({
      id: s.id, code: s.code, name: s.name,
      mrrCents: roundToCents((mrr.get(s.id) ?? decimal(0)).div(100)),
      revenueCents: (invoiced.find((i) => i.serviceId === s.id)?._sum.subtotalCents ?? BigInt(0)) - (credited.find((c) => c.serviceId === s.id)?.cents ?? BigInt(0)),
    })),
    receivables,
    dunning: { active: inDunning.length, amountDueCents: inDunning.reduce((sum, d) => sum + amountDueCents(d.invoice), BigInt(0)) },
    lastBillingRun: run ? { id: run.id, status: run.status, finishedAt: run.finishedAt, createdAt: run.createdAt, invoicesCreated: run.invoicesCreated, failures: run.failures, errors: run.errors as unknown[] } : null,
    dualRun: { period: latest?.period ?? null, match: count("match"), delta: count("delta"), error: count("error") },
  };
}
