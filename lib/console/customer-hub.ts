/** The customer page of the console: everything a finance person looks at for one customer, in a few queries. */
import { trialEndOf } from "@/lib/subscriptions/billing-schedule";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { amountDueCents } from "@/lib/payments/chargeability";
import { subscriptionCurrentUsage } from "@/lib/usage/current-usage";
import { subscriptionInclude } from "@/lib/subscriptions/subscriptions";

export interface HubSubscription {
  id: string;
  externalId: string;
  serviceId: string;
  service: string;
  plan: string | null;
  planCode: string | null;
  status: string;
  startedAt: Date | null;
  subscriptionAt: Date;
  terminatedAt: Date | null;
  nextBillingAt: Date | null;
  /** A downgrade waiting for the end of the period: the plan it moves to, and when. */
  nextPlan: string | null;
  downgradeAt: Date | null;
  /** End of the plan's trial (the fee is free before it), when the plan has one. */
  trialEndsAt: Date | null;
  currency: string;
  /** Usage so far in the current period, priced before tax; null for subscriptions that are not active. */
  usageCents: bigint | null;
  usagePeriodEnd: Date | null;
  /** Set while suspended: by staff (with a reason) or by dunning (an unpaid invoice). */
  suspendedAt: Date | null;
  suspendedBy: string | null;
  suspensionReason: string | null;
  /** A negotiated price (plan overrides): the subscription's own fee beside the plan's list fee. */
  negotiated: { amountCents: bigint; listAmountCents: bigint; interval: string } | null;
}

export interface PlanChoice {
  code: string;
  name: string;
  amountCents: bigint;
  currency: string;
  interval: string;
}

/** Subscriptions newest first, the live ones (active, pending) before those that ended. */
export async function customerSubscriptions(client: Db, customerId: string, now = new Date()): Promise<HubSubscription[]> {
  const subscriptions = await client.subscription.findMany({
    where: { customerId },
    include: { ...subscriptionInclude, plan: { include: { ...subscriptionInclude.plan.include, parent: { select: { amountCents: true } } } }, service: { select: { name: true } }, suspensions: { where: { resumedAt: null }, orderBy: { suspendedAt: "desc" }, take: 1 } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 200,
  });
  const rank = (status: string) => (status === "active" ? 0 : status === "pending" ? 1 : 2);
  subscriptions.sort((a, b) => rank(a.status) - rank(b.status));
  return Promise.all(
    subscriptions.map(async (s) => {
      let usage: { amountCents: bigint; periodEnd: Date } | null = null;
      if (s.status === "active" && s.plan) {
        usage = await subscriptionCurrentUsage(client, s, now).catch((error) => {
          if (error instanceof DomainError) return null;
          throw error;
        });
      }
      return {
        id: s.id,
        externalId: s.externalId,
        serviceId: s.serviceId,
        service: s.service.name,
        plan: s.plan?.name ?? null,
        planCode: s.plan?.code ?? null,
        status: s.status,
        startedAt: s.startedAt,
        subscriptionAt: s.subscriptionAt,
        terminatedAt: s.terminatedAt,
        nextBillingAt: s.nextBillingAt,
        nextPlan: s.nextPlan?.name ?? null,
        downgradeAt: s.downgradePlanDate,
        trialEndsAt: trialEndOf(s.startedAt, s.plan),
        currency: s.plan?.currency ?? s.customer.currency,
        usageCents: usage?.amountCents ?? null,
        usagePeriodEnd: usage?.periodEnd ?? null,
        suspendedAt: s.suspendedAt,
        suspendedBy: s.suspendedBy,
        suspensionReason: s.suspendedBy === "staff" ? (s.suspensions[0]?.reason ?? null) : null,
        negotiated: s.plan?.parent ? { amountCents: s.plan.amountCents, listAmountCents: s.plan.parent.amountCents, interval: s.plan.interval } : null,
      };
    }),
  );
}

/** The customer's invoices (newest first), payments and credit notes, for the page's tables. */
export async function customerLedger(client: Db, customerId: string) {
  const [invoices, payments, creditNotes, invoiceCount] = await Promise.all([
    client.invoice.findMany({
      where: { customerId },
      select: { id: true, number: true, status: true, shadow: true, periodStart: true, periodEnd: true, totalCents: true, creditsAppliedCents: true, amountPaidCents: true, currency: true, issuingDate: true, createdAt: true, service: { select: { name: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: 50,
    }),
    client.payment.findMany({
      where: { customerId },
      select: { id: true, createdAt: true, status: true, amountCents: true, refundedCents: true, currency: true, trigger: true, failureMessage: true, invoice: { select: { id: true, number: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: 50,
    }),
    client.creditNote.findMany({
      where: { customerId },
      select: { id: true, number: true, kind: true, status: true, reason: true, totalCents: true, balanceCents: true, currency: true, createdAt: true, invoice: { select: { id: true, number: true } } },
      orderBy: [{ createdAt: "desc" }, { id: "asc" }],
      take: 50,
    }),
    client.invoice.count({ where: { customerId } }),
  ]);
  return {
    invoices: invoices.map((i) => ({ ...i, amountDueCents: amountDueCents(i) })),
    payments,
    creditNotes,
    invoiceCount,
  };
}

/** Plans staff may start or move a subscription to (the subscription rules refuse what a service may not use). */
export async function planChoices(client: Db): Promise<PlanChoice[]> {
  return client.plan.findMany({
    where: { deletedAt: null, parentId: null },
    select: { code: true, name: true, amountCents: true, currency: true, interval: true },
    orderBy: [{ amountCents: "asc" }, { name: "asc" }],
    take: 500,
  });
}
