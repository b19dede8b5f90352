import type { Prisma, SubscriptionStatus } from "@/lib/generated/prisma/client";
import { DomainError } from "@/lib/errors";

/**
 * The catalog is shared: every service reads every metric and plan (plan codes are entitlements across apps). A
 * service may change only what it created; items created in the console or by another service are read-only to it.
 */
export function assertCatalogWritable(item: { serviceId: string | null }, serviceId: string | null, resource: string) {
  if (serviceId !== null && item.serviceId !== serviceId) {
    throw new DomainError("forbidden", `write_action_not_allowed_for_${resource}`, undefined, `This ${resource.replace(/_/g, " ")} belongs to another service or to the console`);
  }
}

const LIVE: SubscriptionStatus[] = ["draft", "pending", "active"];

/**
 * One service may never alter, terminate or reprice what another service sells. A plan is shared (any service may
 * subscribe its customers to it), so while another service has live subscriptions on it (or a change scheduled to it), the owning service's change
 * or deletion is refused with a 409 — staff decide in the console, which is not bound by this rule. Refusing was chosen
 * over versioning plans: a plan code is an entitlement the apps check, and two live prices under one code would make
 * invoices and the catalog disagree about what a code costs.
 */
export async function assertPlanNotUsedByOtherServices(
  tx: Prisma.TransactionClient,
  plan: { id: string; code: string },
  serviceId: string | null,
  /** Also count subscriptions on the plan's negotiated copies (plan overrides): deleting a plan terminates them too. */
  options: { includeOverrides?: boolean } = {},
) {
  if (serviceId === null) return;
  const on: Prisma.SubscriptionWhereInput[] = [{ planId: plan.id }, { nextPlanId: plan.id }];
  if (options.includeOverrides) on.push({ plan: { parentId: plan.id } });
  const others = await tx.subscription.groupBy({ by: ["serviceId"], where: { OR: on, serviceId: { not: serviceId }, status: { in: LIVE } }, _count: true });
  if (others.length === 0) return;
  const subscriptions = others.reduce((sum, o) => sum + o._count, 0);
  throw new DomainError(
    "conflict", "plan_used_by_other_services", { plan_code: plan.code, other_services: others.length, subscriptions },
    `Plan ${plan.code} has ${subscriptions} live subscription(s) of ${others.length} other service(s): it cannot be changed or deleted by one service. Create a new plan, or ask staff to change it in the console.`,
  );
}

/**
 * Deleting a metric drops the charges that price it. A service may do that only when every such charge is on its own
 * plans and no other service has live subscriptions on those plans.
 */
export async function assertMetricNotUsedByOtherServices(tx: Prisma.TransactionClient, metric: { id: string; code: string }, serviceId: string | null) {
  if (serviceId === null) return;
  const foreignCharges = await tx.charge.count({
    where: {
      billableMetricId: metric.id,
      deletedAt: null,
      OR: [
        { planId: null },
        { plan: { OR: [{ serviceId: null }, { serviceId: { not: serviceId } }] } },
        { plan: { subscriptions: { some: { serviceId: { not: serviceId }, status: { in: LIVE } } } } },
      ],
    },
  });
  if (foreignCharges === 0) return;
  throw new DomainError(
    "conflict", "billable_metric_used_by_other_services", { billable_metric_code: metric.code, charges: foreignCharges },
    `Metric ${metric.code} prices ${foreignCharges} charge(s) of plans that other services sell or that were made in the console: it cannot be deleted by one service.`,
  );
}
