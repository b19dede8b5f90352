/**
 * The readiness report of a service in dual-run: whether it may be promoted to live, and for each unmet condition what
 * is wrong and where it is fixed.
 *
 * 1. The last N complete months (ServiceMigration.readinessMonths, default 2) are each reconciled within tolerance:
 *    reconciled, every customer row a `match`, nobody the old system invoiced left out (reconciled-months.ts).
 * 2. Every imported customer with an active subscription has a billing address (line 1, city, postal code) and, in
 *    Canada, a province.
 * 3. Every active shadow subscription's plan is mapped to a live plan (the plan's cutover plan).
 * 4. Payment methods are adoptable: each of those customers already has a default card, or the old system's Stripe
 *    customer (kept in its metadata) exists at Stripe with a saved card and belongs to no other customer here.
 */
import type Stripe from "stripe";
import type { Db } from "@/lib/db/prisma";
import { stripe as stripeClient } from "@/lib/payments/stripe-client";
import { inspectLegacyStripeCustomer, type LegacyStripeCustomer } from "./legacy-cards";
import { lastCompleteMonths } from "./months";
import { monthIsReconciled } from "./reconciled-months";
import { loadServiceMigration } from "./service-migration";

export type ReadinessKey = "months_reconciled" | "billing_addresses" | "plans_mapped" | "payment_methods";

export interface ReadinessProblem {
  message: string;
  /** Console page where it is fixed. */
  href: string;
}

export interface ReadinessCondition {
  key: ReadinessKey;
  title: string;
  met: boolean;
  problems: ReadinessProblem[];
}

export interface ReadinessMonth {
  period: string;
  reconciled: boolean;
  rows: number;
  match: number;
  delta: number;
  error: number;
  unlinked: number;
  reconciledAt: Date | null;
}

export interface ReadinessReport {
  serviceId: string;
  ready: boolean;
  months: ReadinessMonth[];
  conditions: ReadinessCondition[];
  /** Per customer to adopt: the old system's Stripe customer as found (used by promotion). */
  legacyCards: Map<string, LegacyStripeCustomer>;
}

const PROBLEMS_SHOWN = 200;

export async function readinessReport(client: Db, serviceId: string, options: { now?: Date; stripe?: Stripe | null } = {}): Promise<ReadinessReport> {
  const { migration, source } = await loadServiceMigration(client, serviceId);
  const now = options.now ?? new Date();

  // 1. Months.
  const months: ReadinessMonth[] = [];
  const monthProblems: ReadinessProblem[] = [];
  for (const period of lastCompleteMonths(now, migration.readinessMonths)) {
    const [run, rows] = await Promise.all([
      client.reconciliationRun.findFirst({ where: { serviceId, period }, orderBy: { createdAt: "desc" } }),
      client.reconciliation.groupBy({ by: ["status"], where: { serviceId, period }, _count: { _all: true } }),
    ]);
    const count = (status: string) => rows.find((r) => r.status === status)?._count._all ?? 0;
    const statuses = rows.flatMap((r) => Array.from({ length: r._count._all }, () => ({ status: r.status })));
    const reconciled = run !== null && monthIsReconciled(statuses, run.unlinkedCount);
    months.push({ period, reconciled, rows: statuses.length, match: count("match"), delta: count("delta"), error: count("error"), unlinked: run?.unlinkedCount ?? 0, reconciledAt: run?.createdAt ?? null });
    const href = `/console/reconciliation?service=${serviceId}&period=${period}`;
    if (!run) monthProblems.push({ message: `${period} has not been reconciled.`, href });
    else if (!reconciled) {
      const parts = [count("delta") && `${count("delta")} delta`, count("error") && `${count("error")} error`, run.unlinkedCount && `${run.unlinkedCount} invoiced account(s) not imported`].filter(Boolean);
      monthProblems.push({ message: `${period} is not reconciled within tolerance: ${parts.join(", ") || "no customer rows"}.`, href: `${href}${count("error") ? "&status=error" : count("delta") ? "&status=delta" : ""}` });
    }
  }

  // Customers and subscriptions that go live.
  const subscriptions = await client.subscription.findMany({
    where: { serviceId, shadow: true, status: "active" },
    include: { plan: { include: { cutoverPlan: { include: { service: true } } } }, customer: { include: { paymentMethods: { where: { isDefault: true } } } } },
    orderBy: { externalId: "asc" },
  });
  const customers = new Map(subscriptions.map((s) => [s.customerId, s.customer]));

  // 2. Addresses.
  const addressProblems: ReadinessProblem[] = [];
  for (const c of customers.values()) {
    const missing = [!c.addressLine1 && "address", !c.city && "city", !c.postalCode && "postal code", c.country === "CA" && !c.province && "province"].filter(Boolean);
    if (missing.length) addressProblems.push({ message: `${c.legalName} has no ${missing.join(", ")}.`, href: `/console/customers/${c.id}` });
  }

  // 3. Plans.
  const planProblems: ReadinessProblem[] = [];
  const seenPlans = new Set<string>();
  for (const s of subscriptions) {
    const key = s.planId ?? `none:${s.id}`;
    if (seenPlans.has(key)) continue;
    seenPlans.add(key);
    const onPlan = subscriptions.filter((o) => o.planId === s.planId).length;
    if (!s.plan) planProblems.push({ message: `Subscription ${s.externalId} has no plan.`, href: `/console/customers/${s.customerId}` });
    else if (!s.plan.cutoverPlan || s.plan.cutoverPlan.deletedAt) {
      planProblems.push({ message: `Plan ${s.plan.code} (${onPlan} subscription(s)) is mapped to no live plan.`, href: `/console/plans/${encodeURIComponent(s.plan.code)}` });
    } else if (s.plan.cutoverPlan.service && s.plan.cutoverPlan.service.mode === "shadow" && s.plan.cutoverPlan.serviceId !== serviceId) {
      planProblems.push({ message: `Plan ${s.plan.code} is mapped to ${s.plan.cutoverPlan.code}, a plan of another service still in dual-run.`, href: `/console/plans/${encodeURIComponent(s.plan.code)}` });
    } else if (s.plan.cutoverPlan.currency !== s.customer.currency) {
      planProblems.push({ message: `Plan ${s.plan.code} is mapped to ${s.plan.cutoverPlan.code}, priced in ${s.plan.cutoverPlan.currency}, but ${s.customer.legalName} is billed in ${s.customer.currency}.`, href: `/console/plans/${encodeURIComponent(s.plan.code)}` });
    }
  }

  // 4. Payment methods.
  const cardProblems: ReadinessProblem[] = [];
  const legacyCards = new Map<string, LegacyStripeCustomer>();
  const stripe = options.stripe === undefined ? stripeClient() : options.stripe;
  const toAdopt = [...customers.values()].filter((c) => c.paymentMethods.length === 0);
  if (toAdopt.length && !stripe) cardProblems.push({ message: "Card payments are not configured (STRIPE_SECRET_KEY), so no saved card can be adopted.", href: "/console/services" });
  else if (stripe) {
    const legacyIds = toAdopt.map((c) => ({ customer: c, legacyId: source.legacyStripeCustomerId(c.metadata) }));
    const taken = new Map(
      (await client.customer.findMany({ where: { stripeCustomerId: { in: legacyIds.flatMap((l) => (l.legacyId ? [l.legacyId] : [])) } }, select: { id: true, stripeCustomerId: true, legalName: true } }))
        .map((c) => [c.stripeCustomerId!, c]),
    );
    const claimed = new Map<string, string>();
    for (const { customer, legacyId } of legacyIds) {
      const href = `/console/customers/${customer.id}`;
      if (customer.stripeCustomerId && customer.stripeCustomerId !== legacyId) {
        cardProblems.push({ message: `${customer.legalName} has a Stripe customer but no default card.`, href });
        continue;
      }
      if (!legacyId) {
        cardProblems.push({ message: `${customer.legalName} has no saved card and ${source.label} kept no Stripe customer for it.`, href });
        continue;
      }
      const owner = taken.get(legacyId);
      if (owner && owner.id !== customer.id) {
        cardProblems.push({ message: `${customer.legalName}'s ${source.label} Stripe customer ${legacyId} already belongs to ${owner.legalName}.`, href });
        continue;
      }
      const other = claimed.get(legacyId);
      if (other) {
        cardProblems.push({ message: `${customer.legalName} and ${other} share ${source.label}'s Stripe customer ${legacyId}: merge them first.`, href });
        continue;
      }
      claimed.set(legacyId, customer.legalName);
      const found = await inspectLegacyStripeCustomer(stripe, legacyId);
      if (found.problem) cardProblems.push({ message: `${customer.legalName}: ${found.problem}`, href });
      else legacyCards.set(customer.id, found);
    }
  }

  const condition = (key: ReadinessKey, title: string, problems: ReadinessProblem[]): ReadinessCondition => ({ key, title, met: problems.length === 0, problems: problems.slice(0, PROBLEMS_SHOWN) });
  const conditions = [
    condition("months_reconciled", `The last ${migration.readinessMonths} complete month(s) reconciled within tolerance`, monthProblems),
    condition("billing_addresses", "Every customer has a billing address and province", addressProblems),
    condition("plans_mapped", "Every subscription's plan is mapped to a live plan", planProblems),
    condition("payment_methods", "Every customer's card can be adopted", cardProblems),
  ];
  return { serviceId, ready: conditions.every((c) => c.met), months, conditions, legacyCards };
}
