import { currentPeriod, type SubscriptionWithRelations } from "@/lib/subscriptions/subscriptions";
import type { PlanWithCharges } from "@/lib/catalog/plans";
import { serializePlan } from "./plan";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function serializeSubscription(sub: SubscriptionWithRelations, externalCustomerId: string, options: { withPlan?: boolean } = {}) {
  const period = sub.status === "active" ? currentPeriod(sub) : null;
  return {
    lago_id: sub.id,
    external_id: sub.externalId,
    lago_customer_id: sub.customerId,
    external_customer_id: externalCustomerId,
    name: sub.name,
    plan_code: sub.plan?.code ?? null,
    plan_amount_cents: sub.plan ? Number(sub.plan.amountCents) : null,
    plan_amount_currency: sub.plan?.currency ?? null,
    status: sub.status,
    billing_time: sub.billingTime,
    subscription_at: iso(sub.subscriptionAt),
    started_at: iso(sub.startedAt),
    trial_ended_at: sub.trialEndedAt?.toISOString() ?? null,
    ending_at: iso(sub.endingAt),
    terminated_at: iso(sub.terminatedAt),
    canceled_at: iso(sub.canceledAt),
    created_at: iso(sub.createdAt),
    previous_plan_code: sub.previousSubscription?.plan?.code ?? null,
    next_plan_code: sub.nextPlan?.code ?? null,
    downgrade_plan_date: sub.downgradePlanDate ? sub.downgradePlanDate.toISOString().slice(0, 10) : null,
    current_billing_period_started_at: iso(period?.start),
    current_billing_period_ending_at: iso(period?.end),
    on_termination_credit_note: sub.onTerminationCreditNote,
    on_termination_invoice: sub.onTerminationInvoice,
    progressive_billing_disabled: false,
    consolidate_invoice: true,
    purchase_order_number: null,
    cancellation_reason: null,
    activated_at: iso(sub.startedAt),
    shadow: sub.shadow,
    past_due_at: iso(sub.pastDueAt),
    suspended_at: iso(sub.suspendedAt),
    payment_method: null,
    activation_rules: [],
    ...(options.withPlan && sub.plan ? { plan: serializePlan(sub.plan as PlanWithCharges) } : {}),
  };
}
