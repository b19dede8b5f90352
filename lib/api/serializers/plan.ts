import type { PlanWithCharges } from "@/lib/catalog/plans";
import { storedChargeFilters } from "@/lib/rating/charge-filters";

export function serializeCharge(charge: PlanWithCharges["charges"][number]) {
  return {
    lago_id: charge.id,
    lago_billable_metric_id: charge.billableMetricId,
    billable_metric_code: charge.billableMetric.code,
    code: charge.code,
    invoice_display_name: charge.invoiceDisplayName,
    created_at: charge.createdAt.toISOString(),
    charge_model: charge.chargeModel,
    invoiceable: true,
    regroup_paid_fees: null,
    pay_in_advance: charge.payInAdvance,
    prorated: false,
    min_amount_cents: charge.minAmountCents === null ? 0 : Number(charge.minAmountCents),
    included_quantity: charge.includedQuantity.toString(),
    accepts_target_wallet: false,
    properties: charge.properties,
    applied_pricing_unit: null,
    lago_parent_id: charge.parentId,
    filters: storedChargeFilters(charge).map((f) => ({ invoice_display_name: f.invoice_display_name ?? null, properties: f.properties, values: f.values })),
    taxes: [],
  };
}

export function serializePlan(plan: PlanWithCharges, counts: { activeSubscriptions?: number; customers?: number } = {}) {
  return {
    lago_id: plan.id,
    name: plan.name,
    invoice_display_name: plan.invoiceDisplayName,
    created_at: plan.createdAt.toISOString(),
    code: plan.code,
    interval: plan.interval,
    description: plan.description,
    amount_cents: Number(plan.amountCents),
    amount_currency: plan.currency,
    trial_period: plan.trialPeriodDays === null ? null : Number(plan.trialPeriodDays.toString()),
    pay_in_advance: plan.payInAdvance,
    bill_charges_monthly: plan.billChargesMonthly,
    bill_fixed_charges_monthly: null,
    customers_count: counts.customers ?? 0,
    active_subscriptions_count: counts.activeSubscriptions ?? 0,
    draft_invoices_count: 0,
    parent_id: plan.parentId,
    pending_deletion: plan.deletedAt !== null,
    charges: plan.charges.map(serializeCharge),
    fixed_charges: [],
    usage_thresholds: [],
    taxes: [],
    entitlements: [],
  };
}
