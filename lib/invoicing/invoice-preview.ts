import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/prisma";
import { textRowsThrough } from "@/lib/db/transaction-connection";
import { assertTimeZone, localDate } from "@/lib/billing/calendar-date";
import { taxesForInvoice } from "@/lib/billing/tax/invoice-taxes";
import { getPlanByCode, yearlyEquivalentCents } from "@/lib/catalog/plans";
import { findServiceCustomer } from "@/lib/customers/service-customers";
import { DomainError, entityNotFound, invalidField } from "@/lib/errors";
import type { BillingTime, Customer, Plan } from "@/lib/generated/prisma/client";
import { chargesOfSubscription, loadUsage, type ChargeWithMetric } from "@/lib/rating/rate-subscription-usage";
import { periodContaining } from "@/lib/billing/billing-periods";
import { firstBillingAt, scheduleOf } from "@/lib/subscriptions/billing-schedule";
import { loadSuspensions } from "@/lib/subscriptions/suspension";
import type { BillingGroup } from "./billing-group";
import { composeGroup, stepOf, type BillableCustomer, type PlannedSubscription, type SubscriptionToBill } from "./billing-run";
import type { BillingStep } from "./billing-step";
import { companyProfile } from "./company-profile";
import { couponBookKey, loadCouponBook } from "@/lib/coupons/coupon-ledger";
import { composeInvoice, type InvoiceComposition } from "./compose-invoice";
import type { InvoiceLineDraft } from "./invoice-lines";

/**
 * Lago's invoice preview (`POST /invoices/preview`): the invoice a customer would receive for a new subscription, an
 * upgrade now, or a termination, with tax — computed and never written. It builds the subscriptions as they would stand
 * after the change and composes their group through the period close's own composeGroup (same steps, line builders,
 * rating, spending minimums and taxes), with the usage recorded so far. Post-tax settlement (a credit balance, the credit
 * note an upgrade of an in-advance plan issues) is not applied: the preview is the invoice before settlement.
 */
export interface PreviewCustomerInput {
  externalId?: string;
  name?: string;
  country?: string;
  state?: string;
  timezone?: string;
  currency?: string;
  /** A prospect's address and tax id, shown on the previewed invoice's customer (tax follows country and state). */
  addressLine1?: string;
  addressLine2?: string;
  city?: string;
  postalCode?: string;
  taxIdentificationNumber?: string;
}

/** The customer a preview bills: a stored customer, or a prospect with the address sent. */
export type PreviewedCustomer = BillableCustomer & Partial<Pick<Customer, "addressLine1" | "addressLine2" | "city" | "postalCode" | "taxIdentificationNumber">>;

export interface InvoicePreviewRequest {
  customer: PreviewCustomerInput;
  planCode?: string;
  subscriptionAt?: Date;
  billingTime?: BillingTime;
  subscriptions?: { externalIds: string[]; planCode?: string; terminatedAt?: Date };
}

export interface InvoicePreview {
  kind: "subscription" | "termination" | "upgrade";
  customer: PreviewedCustomer;
  /** False for a prospect previewed from the address sent (no customer row). */
  existingCustomer: boolean;
  externalCustomerId: string | null;
  composition: InvoiceComposition<InvoiceLineDraft>;
  /** External ids of the subscriptions on the invoice, by the ids its lines carry. */
  externalIds: Map<string, string | null>;
  /** Lines of subscriptions that exist (and may be looked up by lago_id); the others are the preview's own. */
  existingSubscriptionIds: Set<string>;
  /** Codes of the applied coupons the invoice takes, by applied-coupon id (what its discounts carry). */
  couponCodes: Map<string, string>;
  currency: string;
  issuingDate: string;
  periodStart: Date;
  periodEnd: Date;
}

/** Usage recorded since this long ago is the tolerance for a termination instant sent as "now" by a client's clock. */
const CLOCK_SKEW_MS = 60_000;

type PlanFields = NonNullable<SubscriptionToBill["plan"]>;
const planFields = (plan: Plan): PlanFields => ({
  id: plan.id, name: plan.name, invoiceDisplayName: plan.invoiceDisplayName, amountCents: plan.amountCents, payInAdvance: plan.payInAdvance, interval: plan.interval, currency: plan.currency,
  billChargesMonthly: plan.billChargesMonthly, trialPeriodDays: plan.trialPeriodDays?.toString() ?? null, parentId: plan.parentId,
});

async function previewCustomer(client: Db, serviceId: string, input: PreviewCustomerInput, currency: string | null): Promise<{ customer: PreviewedCustomer; externalId: string | null; stored: boolean }> {
  if (input.externalId) {
    const found = await findServiceCustomer(client, serviceId, input.externalId);
    if (found) return { customer: found.customer, externalId: input.externalId, stored: true };
  }
  // A customer that does not exist yet (Lago's preview for a prospect): taxed from the address sent.
  const timezone = input.timezone ?? "America/Toronto";
  try {
    assertTimeZone(timezone);
  } catch {
    throw invalidField("customer.timezone", "invalid_timezone");
  }
  return {
    customer: {
      id: randomUUID(),
      legalName: input.name ?? input.externalId ?? "Prospective customer",
      country: (input.country ?? "CA").toUpperCase(),
      province: input.state ? input.state.toUpperCase() : null,
      taxExempt: false,
      taxExemptionNumber: null,
      timezone,
      netPaymentTermDays: 0,
      creditBalanceCents: BigInt(0),
      currency: input.currency ?? currency ?? "CAD",
      addressLine1: input.addressLine1 ?? null,
      addressLine2: input.addressLine2 ?? null,
      city: input.city ?? null,
      postalCode: input.postalCode ?? null,
      taxIdentificationNumber: input.taxIdentificationNumber ?? null,
    },
    externalId: input.externalId ?? null,
    stored: false,
  };
}

function plannedSubscription(
  customer: BillableCustomer,
  serviceId: string,
  plan: PlanFields,
  fields: Pick<SubscriptionToBill, "id" | "billingTime" | "billingAnchorDate" | "subscriptionAt" | "startedAt" | "shadow"> & Partial<SubscriptionToBill>,
): PlannedSubscription {
  return {
    customerId: customer.id, serviceId, planId: plan.id, status: "active", terminatedAt: null, endingAt: null, nextPlanId: null,
    nextBillingAt: null, onTerminationCreditNote: "credit", onTerminationInvoice: "generate", ...fields, plan, customer,
  };
}

/** Checks the request against what exists and builds the subscriptions as they would stand after the change. */
async function previewedGroup(client: Db, service: { id: string; mode: string }, request: InvoicePreviewRequest, now: Date) {
  const subscriptions = request.subscriptions;
  if (subscriptions) {
    if (request.planCode !== undefined) throw invalidField("plan_code", "value_is_invalid", "With `subscriptions`, the new plan goes in subscriptions.plan_code");
    if (!request.customer.externalId) throw invalidField("customer.external_id", "value_is_mandatory");
    const found = await findServiceCustomer(client, service.id, request.customer.externalId);
    if (!found) throw entityNotFound("customer");
    const customer = found.customer;
    const ids = [...new Set(subscriptions.externalIds)];
    if (ids.length === 0) throw invalidField("subscriptions.external_ids", "value_is_mandatory");
    const current = await client.subscription.findMany({
      where: { serviceId: service.id, customerId: customer.id, externalId: { in: ids }, status: "active" },
      include: { plan: true },
    });
    if (current.length !== ids.length) throw entityNotFound("subscription");
    const existing: PlannedSubscription[] = current.map((sub) => {
      if (!sub.plan) throw new DomainError("not_allowed", "subscription_has_no_plan", undefined, "A subscription without a plan has nothing to preview");
      return { ...sub, plan: planFields(sub.plan), customer };
    });

    if (subscriptions.planCode !== undefined) {
      // An upgrade now: the old subscription ends at this instant, the new one starts with the same anchor.
      if (existing.length !== 1) throw invalidField("subscriptions.external_ids", "value_is_invalid", "A plan change previews one subscription");
      if (subscriptions.terminatedAt) throw invalidField("subscriptions.terminated_at", "value_is_invalid", "A plan change takes effect now");
      const [old] = existing;
      const plan = await getPlanByCode(client, subscriptions.planCode);
      if (plan.id === old.planId) throw invalidField("subscriptions.plan_code", "value_is_invalid", "The subscription is already on this plan");
      if (plan.currency !== old.plan.currency) throw invalidField("currency", "currencies_does_not_match");
      if (yearlyEquivalentCents(plan) < yearlyEquivalentCents(old.plan)) {
        throw invalidField("subscriptions.plan_code", "not_supported", "A downgrade takes effect at the end of the period and bills nothing now; preview upgrades and terminations");
      }
      // Billed at the change (a close that is behind bills its earlier boundaries first; they are not this invoice).
      const boundary = now;
      const ended: PlannedSubscription = { ...old, status: "terminated", terminatedAt: now, nextPlanId: plan.id, nextBillingAt: boundary };
      const next = plannedSubscription(customer, service.id, planFields(plan), {
        id: randomUUID(), billingTime: old.billingTime, billingAnchorDate: old.billingAnchorDate, subscriptionAt: old.subscriptionAt, startedAt: now, shadow: old.shadow, endingAt: old.endingAt,
      });
      next.nextBillingAt = firstBillingAt({ ...next, startedAt: now }, next.plan, customer.timezone);
      // The new subscription is on this invoice when it bills at the same boundary (an in-advance plan's first fee).
      const members = next.nextBillingAt?.getTime() === boundary.getTime() ? [ended, next] : [ended];
      return { kind: "upgrade" as const, existingCustomer: true, customer, externalId: request.customer.externalId, boundary, members, existing: [old], newCharges: new Map([[next.id, plan.charges as ChargeWithMetric[]]]) };
    }

    const terminatedAt = subscriptions.terminatedAt ?? now;
    if (terminatedAt.getTime() < now.getTime() - CLOCK_SKEW_MS) throw invalidField("subscriptions.terminated_at", "invalid_date", "The termination must be now or later");
    for (const sub of existing) {
      if (terminatedAt >= periodContaining(now, scheduleOf(sub, sub.plan, customer.timezone)).end) {
        throw invalidField("subscriptions.terminated_at", "invalid_date", "The termination must fall in the current billing period");
      }
    }
    // Billed at the termination (a close that is behind bills its earlier boundaries first; they are not this invoice).
    const boundary = terminatedAt;
    const members = existing.map((sub): PlannedSubscription => ({ ...sub, status: "terminated", terminatedAt, nextPlanId: null, nextBillingAt: boundary }));
    return { kind: "termination" as const, existingCustomer: true, customer, externalId: request.customer.externalId, boundary, members, existing, newCharges: new Map<string, ChargeWithMetric[]>() };
  }

  // A new subscription: its first invoice (in advance: the first fee at its start; in arrears: the first period's end).
  if (!request.planCode) throw invalidField("plan_code", "value_is_mandatory");
  const plan = await getPlanByCode(client, request.planCode);
  const { customer, externalId, stored } = await previewCustomer(client, service.id, request.customer, plan.currency);
  if (stored && customer.currency !== plan.currency) {
    const priced = await client.subscription.count({ where: { customerId: customer.id } });
    if (priced > 0) throw invalidField("currency", "currencies_does_not_match");
  }
  const startsAt = request.subscriptionAt ?? now;
  const sub = plannedSubscription(customer, service.id, planFields(plan), {
    id: randomUUID(), billingTime: request.billingTime ?? "calendar", billingAnchorDate: startsAt, subscriptionAt: startsAt, startedAt: startsAt, shadow: service.mode === "shadow",
  });
  sub.nextBillingAt = firstBillingAt({ ...sub, startedAt: startsAt }, sub.plan, customer.timezone)!;
  return { kind: "subscription" as const, existingCustomer: stored, customer, externalId, boundary: sub.nextBillingAt, members: [sub], existing: [] as PlannedSubscription[], newCharges: new Map([[sub.id, plan.charges as ChargeWithMetric[]]]) };
}

export async function previewInvoice(client: Db, service: { id: string; mode: string }, request: InvoicePreviewRequest, now = new Date()): Promise<InvoicePreview> {
  const built = await previewedGroup(client, service, request, now);
  const { customer, boundary, members } = built;
  const group: BillingGroup = { customerId: customer.id, serviceId: service.id, boundary, shadow: members[0].shadow };

  // The usage recorded so far of the subscriptions that exist, loaded as the close loads it.
  const charges = new Map<string, ChargeWithMetric[]>(built.newCharges);
  for (const sub of built.existing) charges.set(sub.id, await chargesOfSubscription(client, sub));
  const steps = new Map<string, BillingStep>(members.map((sub) => [sub.id, stepOf(sub, boundary)]));
  const allCharges = [...charges.values()].flat();
  const existingIds = built.existing.map((s) => s.id);
  const windows = [...steps.values()].map((s) => s.usageWindow).filter((w) => w !== null);
  const from = new Date(Math.min(...windows.map((w) => w.start.getTime()), boundary.getTime()));
  const usage = await loadUsage(
    textRowsThrough(client), existingIds, [...new Set(allCharges.map((c) => c.billableMetric.code))], [...new Set(allCharges.map((c) => c.billableMetricId))],
    from, boundary, allCharges.some((c) => c.billableMetric.recurring),
  );
  const suspensions = existingIds.length ? await loadSuspensions(textRowsThrough(client), existingIds, from, boundary) : new Map();
  const profile = await companyProfile(client);
  // The customer's applied coupons, as the close takes them (read here; their use is recorded only by a real close).
  const coupons = built.existingCustomer && !group.shadow
    ? ((await loadCouponBook(client, [{ customerId: customer.id, serviceId: service.id }])).get(couponBookKey(customer.id, service.id)) ?? [])
    : [];

  const composed = composeGroup(
    group, members, (sub) => steps.get(sub.id)!, (sub) => charges.get(sub.id) ?? [],
    (id) => ({ events: usage.events.filter((e) => e.subscriptionId === id), rollups: usage.rollups.filter((r) => r.subscriptionId === id) }),
    profile, (id) => suspensions.get(id) ?? [], coupons,
  );
  const issuingDate = localDate(boundary, customer.timezone);
  // Nothing to bill (e.g. a termination on the day an in-advance fee was paid): an empty invoice, taxed at zero.
  const composition = composed.invoice?.composition ?? composeInvoice<InvoiceLineDraft>({ lines: [], taxes: (taxable) => taxesForInvoice(group, customer, profile, taxable, issuingDate) });
  return {
    kind: built.kind,
    customer,
    existingCustomer: built.existingCustomer,
    externalCustomerId: built.externalId,
    composition,
    // A new subscription has no external id yet, except the one an upgrade keeps.
    externalIds: new Map(members.map((s) => [s.id, (s as { externalId?: string }).externalId ?? (built.kind === "upgrade" ? request.subscriptions!.externalIds[0] : null)])),
    existingSubscriptionIds: new Set(existingIds),
    couponCodes: new Map(coupons.map((c) => [c.appliedCouponId, c.code])),
    currency: composed.invoice?.currency ?? members[0].plan.currency,
    issuingDate,
    periodStart: composed.invoice?.periodStart ?? boundary,
    periodEnd: composed.invoice?.periodEnd ?? boundary,
  };
}
