/**
 * Cutover: promoting a service in dual-run to live, and undoing it while nothing live has been issued.
 *
 * Promotion (one transaction, after the readiness report and the Stripe reads):
 * - the service becomes live and its active shadow subscriptions live subscriptions on their plans' cutover plans;
 * - no period is billed twice: each subscription's first live period starts where the old system's last invoiced
 *   period for the account ended (or at the chosen boundary for an account it never invoiced, never before the
 *   subscription's start), so the next period close bills exactly the time the old system did not;
 * - imported usage charges hanging on a subscription are set aside where the live plan prices the same metric (the
 *   live plan's price is the one that counts from now on);
 * - the old system's Stripe customers are adopted: the customer takes the Stripe customer id kept in its metadata and
 *   the cards saved on it become its payment methods (the old default first), so its saved card keeps working;
 * - apps receive `subscription.started` for each subscription (and `subscription.updated` when its plan changed);
 * - an unmet readiness condition refuses the promotion, unless an admin gives a written reason (audited). An unmapped
 *   plan is never overridden: a live subscription needs a live plan.
 * Everything changed is kept in ServiceMigration.promotionSnapshot so `revertPromotion` can restore the dual-run until
 * the first live invoice is finalized.
 */
import { randomUUID } from "node:crypto";
import type Stripe from "stripe";
import { recordAudit, staffActor } from "@/lib/audit/audit-log";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma, StaffRole } from "@/lib/generated/prisma/client";
import { firstBillingAt } from "@/lib/subscriptions/billing-schedule";
import { recordSubscriptionEvents } from "@/lib/webhooks/lifecycle-events";
import { readinessReport, type ReadinessCondition } from "./readiness";
import { loadServiceMigration } from "./service-migration";

export interface PromotionActor {
  staffId: string;
  role: StaffRole;
}

interface SubscriptionSnapshot {
  id: string;
  planId: string | null;
  startedAt: string | null;
  nextBillingAt: string | null;
  /** Subscription charges set aside at promotion. */
  setAsideChargeIds: string[];
}

export interface PromotionSnapshot {
  subscriptions: SubscriptionSnapshot[];
  /** Customers whose Stripe customer id was adopted at promotion. */
  adoptedStripeCustomers: { customerId: string; stripeCustomerId: string }[];
  /** Payment methods recorded at promotion. */
  adoptedPaymentMethodIds: string[];
}

export interface PromotionSummary {
  subscriptions: number;
  customers: number;
  cardsAdopted: number;
  overridden: ReadinessCondition[];
  /** Per subscription id, where its first live period starts. */
  liveStarts: Map<string, Date>;
}

const MIN_REASON_LENGTH = 10;

export async function promoteService(
  client: Db,
  input: { serviceId: string; boundary: Date; actor: PromotionActor; overrideReason?: string | null; now?: Date; stripe?: Stripe | null },
): Promise<PromotionSummary> {
  const { serviceId, boundary, actor } = input;
  if (Number.isNaN(boundary.getTime())) throw new DomainError("invalid", "validation_errors", { boundary: ["invalid_date"] }, "Choose the cutover boundary.");
  const { migration, source } = await loadServiceMigration(client, serviceId);
  if (migration.state !== "dual_run") throw new DomainError("conflict", "migration_not_in_dual_run", undefined, migration.state === "live" ? "The service is already live." : "The old system is retired.");

  const report = await readinessReport(client, serviceId, { now: input.now, stripe: input.stripe });
  const unmet = report.conditions.filter((c) => !c.met);
  const reason = input.overrideReason?.trim() || null;
  const planCondition = unmet.find((c) => c.key === "plans_mapped");
  if (planCondition) {
    throw new DomainError("not_allowed", "plans_not_mapped", { plans: planCondition.problems.map((p) => p.message) }, `Map every plan to a live plan first: ${planCondition.problems[0].message}`);
  }
  if (unmet.length && !reason) {
    throw new DomainError("not_allowed", "service_not_ready", Object.fromEntries(unmet.map((c) => [c.key, c.problems.map((p) => p.message)])), `Not ready: ${unmet.map((c) => c.title.toLowerCase()).join("; ")}.`);
  }
  if (unmet.length && actor.role !== "admin") throw new DomainError("not_allowed", "override_needs_admin", undefined, "Only an administrator may promote a service that is not ready.");
  if (unmet.length && reason!.length < MIN_REASON_LENGTH) {
    throw new DomainError("invalid", "validation_errors", { override_reason: ["too_short"] }, `Explain in at least ${MIN_REASON_LENGTH} characters why the service is promoted although it is not ready.`);
  }

  const lastEnds = await source.lastInvoicedPeriodEnds(client, serviceId);
  const promotedAt = input.now ?? new Date();

  return client.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ state: string }[]>`SELECT state::text FROM "ServiceMigration" WHERE "serviceId" = ${serviceId}::uuid FOR UPDATE`;
    if (locked?.state !== "dual_run") throw new DomainError("conflict", "migration_not_in_dual_run", undefined, "The service was promoted or retired meanwhile.");
    const subscriptions = await tx.subscription.findMany({
      where: { serviceId, shadow: true, status: "active" },
      include: { plan: { include: { cutoverPlan: { include: { charges: { where: { deletedAt: null } } } } } }, charges: { where: { deletedAt: null } }, customer: true },
    });
    const links = await tx.accountLink.findMany({ where: { serviceId, customerId: { in: subscriptions.map((s) => s.customerId) }, deletedAt: null } });
    const accountOf = new Map(links.map((l) => [l.customerId, l.externalId]));
    const snapshot: PromotionSnapshot = { subscriptions: [], adoptedStripeCustomers: [], adoptedPaymentMethodIds: [] };
    const liveStarts = new Map<string, Date>();
    const events: { subscriptionId: string; type: "subscription.started" | "subscription.updated" }[] = [];

    for (const sub of subscriptions) {
      const livePlan = sub.plan?.cutoverPlan;
      if (!livePlan || livePlan.deletedAt) throw new DomainError("not_allowed", "plans_not_mapped", undefined, `Subscription ${sub.externalId}'s plan is mapped to no live plan.`);
      const startedAt = sub.startedAt ?? sub.subscriptionAt;
      const oldEnd = lastEnds.get(accountOf.get(sub.customerId) ?? "") ?? boundary;
      const liveStart = oldEnd > startedAt ? oldEnd : startedAt;
      const nextBillingAt = firstBillingAt({ billingTime: sub.billingTime, billingAnchorDate: sub.billingAnchorDate, startedAt: liveStart, endingAt: sub.endingAt }, livePlan, sub.customer.timezone);
      const pricedByPlan = new Set(livePlan.charges.map((c) => c.billableMetricId));
      const setAside = sub.charges.filter((c) => pricedByPlan.has(c.billableMetricId)).map((c) => c.id);
      snapshot.subscriptions.push({ id: sub.id, planId: sub.planId, startedAt: sub.startedAt?.toISOString() ?? null, nextBillingAt: sub.nextBillingAt?.toISOString() ?? null, setAsideChargeIds: setAside });
      if (setAside.length) await tx.charge.updateMany({ where: { id: { in: setAside } }, data: { deletedAt: promotedAt } });
      await tx.subscription.update({ where: { id: sub.id }, data: { shadow: false, planId: livePlan.id, startedAt: liveStart, nextBillingAt } });
      liveStarts.set(sub.id, liveStart);
      events.push({ subscriptionId: sub.id, type: "subscription.started" });
      if (livePlan.id !== sub.planId) events.push({ subscriptionId: sub.id, type: "subscription.updated" });
    }

    // Saved cards: the old system's Stripe customers, as read by the readiness report.
    for (const [customerId, legacy] of report.legacyCards) {
      const customer = await tx.customer.findUniqueOrThrow({ where: { id: customerId } });
      if (customer.stripeCustomerId && customer.stripeCustomerId !== legacy.stripeCustomerId) continue;
      if (!customer.stripeCustomerId) {
        await tx.customer.update({ where: { id: customerId }, data: { stripeCustomerId: legacy.stripeCustomerId } });
        snapshot.adoptedStripeCustomers.push({ customerId, stripeCustomerId: legacy.stripeCustomerId });
      }
      let hasDefault = (await tx.paymentMethod.count({ where: { customerId, isDefault: true } })) > 0;
      for (const card of legacy.cards) {
        if (await tx.paymentMethod.findUnique({ where: { providerPaymentMethodId: card.id } })) continue;
        const id = randomUUID();
        await tx.paymentMethod.create({
          data: {
            id, customerId, providerPaymentMethodId: card.id, isDefault: !hasDefault,
            brand: card.card?.brand ?? card.type, last4: card.card?.last4 ?? null, expMonth: card.card?.exp_month ?? null, expYear: card.card?.exp_year ?? null,
          },
        });
        hasDefault = true;
        snapshot.adoptedPaymentMethodIds.push(id);
      }
    }

    await tx.service.update({ where: { id: serviceId }, data: { mode: "live" } });
    await tx.serviceMigration.update({
      where: { serviceId },
      data: {
        state: "live", promotionBoundary: boundary, promotedAt, promotedById: actor.staffId, promotionOverrideReason: unmet.length ? reason : null,
        promotionSnapshot: snapshot as unknown as Prisma.InputJsonValue,
      },
    });
    await recordAudit(tx, staffActor(actor.staffId), {
      action: "migration.promoted", entityType: "Service", entityId: serviceId,
      data: {
        source: source.kind, boundary: boundary.toISOString(), subscriptions: snapshot.subscriptions.length, cardsAdopted: snapshot.adoptedPaymentMethodIds.length,
        ...(unmet.length ? { overrideReason: reason, unmetConditions: unmet.map((c) => ({ key: c.key, problems: c.problems.map((p) => p.message) })) } : {}),
      },
    });
    await recordSubscriptionEvents(tx, events);
    return {
      subscriptions: snapshot.subscriptions.length,
      customers: new Set(subscriptions.map((s) => s.customerId)).size,
      cardsAdopted: snapshot.adoptedPaymentMethodIds.length,
      overridden: unmet,
      liveStarts,
    };
  }, { timeout: 120_000, maxWait: 10_000 });
}

/**
 * Puts a promoted service back in dual-run, as long as none of its promoted subscriptions' live invoices has been
 * finalized (drafts waiting in the grace period are deleted: they were never numbered, sent or charged).
 */
export async function revertPromotion(client: Db, input: { serviceId: string; actor: PromotionActor; reason: string }): Promise<{ subscriptions: number; draftsDeleted: number }> {
  const reason = input.reason.trim();
  if (reason.length < MIN_REASON_LENGTH) throw new DomainError("invalid", "validation_errors", { reason: ["too_short"] }, `Explain in at least ${MIN_REASON_LENGTH} characters why the promotion is undone.`);
  if (input.actor.role !== "admin") throw new DomainError("not_allowed", "revert_needs_admin", undefined, "Only an administrator may undo a promotion.");
  return client.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ state: string }[]>`SELECT state::text FROM "ServiceMigration" WHERE "serviceId" = ${input.serviceId}::uuid FOR UPDATE`;
    if (!locked) throw new DomainError("not_found", "migration_not_found", undefined, "This service is not migrating from an old system.");
    if (locked.state !== "live") throw new DomainError("conflict", "migration_not_live", undefined, "The service has not been promoted.");
    const migration = await tx.serviceMigration.findUniqueOrThrow({ where: { serviceId: input.serviceId } });
    const snapshot = migration.promotionSnapshot as unknown as PromotionSnapshot;
    const ids = snapshot.subscriptions.map((s) => s.id);
    const invoices = await tx.invoice.findMany({ where: { serviceId: input.serviceId, shadow: false, lines: { some: { subscriptionId: { in: ids } } } }, select: { id: true, status: true, number: true } });
    const issued = invoices.filter((i) => i.status !== "draft");
    if (issued.length) {
      throw new DomainError("conflict", "live_invoice_finalized", undefined, `Live invoice ${issued[0].number ?? issued[0].id} is already finalized: the cutover can no longer be undone.`);
    }
    if (invoices.length) await tx.invoice.deleteMany({ where: { id: { in: invoices.map((i) => i.id) } } });
    for (const s of snapshot.subscriptions) {
      await tx.subscription.update({
        where: { id: s.id },
        data: { shadow: true, planId: s.planId, startedAt: s.startedAt ? new Date(s.startedAt) : null, nextBillingAt: s.nextBillingAt ? new Date(s.nextBillingAt) : null },
      });
      if (s.setAsideChargeIds.length) await tx.charge.updateMany({ where: { id: { in: s.setAsideChargeIds } }, data: { deletedAt: null } });
    }
    if (snapshot.adoptedPaymentMethodIds.length) await tx.paymentMethod.deleteMany({ where: { id: { in: snapshot.adoptedPaymentMethodIds } } });
    for (const adopted of snapshot.adoptedStripeCustomers) {
      await tx.customer.updateMany({ where: { id: adopted.customerId, stripeCustomerId: adopted.stripeCustomerId }, data: { stripeCustomerId: null } });
    }
    await tx.service.update({ where: { id: input.serviceId }, data: { mode: "shadow" } });
    await tx.serviceMigration.update({
      where: { serviceId: input.serviceId },
      data: { state: "dual_run", promotionBoundary: null, promotedAt: null, promotedById: null, promotionOverrideReason: null, promotionSnapshot: {} },
    });
    await recordAudit(tx, staffActor(input.actor.staffId), {
      action: "migration.promotion_reverted", entityType: "Service", entityId: input.serviceId,
      data: { reason, subscriptions: ids.length, draftsDeleted: invoices.length, promotedAt: migration.promotedAt?.toISOString() ?? null },
    });
    await recordSubscriptionEvents(tx, ids.map((id) => ({ subscriptionId: id, type: "subscription.updated" as const })));
    return { subscriptions: ids.length, draftsDeleted: invoices.length };
  }, { timeout: 120_000, maxWait: 10_000 });
}
