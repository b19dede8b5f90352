/**
 * Per-subscription plan overrides (Lago's `plan_overrides`): a negotiated price for one subscription. As in Lago, the
 * subscription gets its own child plan — a copy of the plan it subscribes to (same code, `parentId` naming the
 * parent, charges copied with `parentId` naming the parent's charge) with the overridden fields applied. The rating,
 * the period close and every invoice read the child plan like any other: nothing else has to know about overrides.
 * The child is never listed nor found by code (codes resolve to parent plans), is owned by the subscription's service,
 * and does not follow its parent's later edits (the negotiated price holds).
 */
import { DomainError, invalidField } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { validateChargeProperties } from "@/lib/billing/charge-models";
import { storedChargeFilters } from "@/lib/rating/charge-filters";
import { checkChargeFilters, planInclude, type ChargeInput, type PlanWithCharges } from "./plans";

export interface ChargeOverride {
  /** The charge of the subscribed (parent) plan — or of the child plan already made for the subscription. */
  id: string;
  invoiceDisplayName?: string | null;
  minAmountCents?: bigint | null;
  properties?: Record<string, unknown>;
  filters?: ChargeInput["filters"];
}

export interface PlanOverrides {
  amountCents?: bigint;
  currency?: string;
  name?: string;
  invoiceDisplayName?: string | null;
  description?: string | null;
  charges?: ChargeOverride[];
}

/** The amount a change of plan compares (Lago compares the overridden fee when a change carries overrides). */
export function overriddenAmount(plan: { amountCents: bigint }, overrides: PlanOverrides | undefined): bigint {
  return overrides?.amountCents ?? plan.amountCents;
}

/**
 * Applies overrides to a subscription's plan: the first time, makes its child plan (and moves the subscription onto it);
 * afterwards, changes that child. Returns the child plan. Runs inside the caller's transaction.
 */
export async function applyPlanOverrides(
  tx: Prisma.TransactionClient,
  subscription: { id: string; serviceId: string; planId: string | null },
  overrides: PlanOverrides,
  actor: { type: "service" | "staff"; id: string } = { type: "service", id: subscription.serviceId },
): Promise<PlanWithCharges> {
  if (!subscription.planId) throw new DomainError("not_allowed", "subscription_has_no_plan", undefined, "A subscription without a plan has no price to override");
  const plan = await tx.plan.findUniqueOrThrow({ where: { id: subscription.planId }, include: planInclude });
  // A subscription is billed in its customer's currency (a customer takes its first plan's, override included, and
  // keeps it): an override's currency must be the customer's, on every path (POST and PUT /subscriptions, the console);
  // an overridden plan keeps its currency.
  if (overrides.currency !== undefined) {
    if (plan.parentId !== null && overrides.currency !== plan.currency) {
      throw invalidField("plan_overrides.amount_currency", "currencies_does_not_match", "The currency of a subscription already billed cannot change");
    }
    const { customer } = await tx.subscription.findUniqueOrThrow({ where: { id: subscription.id }, select: { customer: { select: { currency: true } } } });
    if (overrides.currency !== customer.currency) {
      throw invalidField("plan_overrides.amount_currency", "currencies_does_not_match", `The customer is billed in ${customer.currency}; the override is in ${overrides.currency}`);
    }
  }
  const charges = overrides.charges ?? [];
  // A charge override names a charge of this plan (or, once overridden, the parent charge it was copied from).
  const targets = charges.map((override, index) => {
    const charge = plan.charges.find((c) => c.id === override.id || (c.parentId !== null && c.parentId === override.id));
    if (!charge) throw invalidField(`plan_overrides.charges.${index}.id`, "charge_not_found", "No charge of the subscription's plan has this id");
    return charge;
  });
  if (new Set(targets.map((c) => c.id)).size !== targets.length) throw invalidField("plan_overrides.charges", "value_already_exist", "A charge is overridden twice");

  const chargeUpdates = charges.map((override, index) => {
    const charge = targets[index];
    const data: Prisma.ChargeUpdateInput = {};
    if (override.invoiceDisplayName !== undefined) data.invoiceDisplayName = override.invoiceDisplayName;
    if (override.minAmountCents !== undefined) data.minAmountCents = override.minAmountCents;
    if (override.properties !== undefined) {
      const checked = validateChargeProperties(charge.chargeModel, override.properties);
      if (!checked.valid) {
        const details = Object.fromEntries(Object.entries(checked.errors).map(([field, codes]) => [`plan_overrides.charges.${index}.properties.${field}`, codes]));
        throw new DomainError("invalid", "validation_errors", details, "Invalid charge properties");
      }
      data.properties = checked.properties as unknown as Prisma.InputJsonValue;
    }
    // Filters are checked against the metric, and with the minimum they would sit beside (stored or overridden).
    const filters = override.filters ?? storedChargeFilters(charge).map((f) => ({ invoiceDisplayName: f.invoice_display_name, properties: f.properties, values: f.values }));
    const checkedFilters = checkChargeFilters(
      {
        chargeModel: charge.chargeModel,
        filters,
        minAmountCents: override.minAmountCents !== undefined ? override.minAmountCents : charge.minAmountCents,
        includedQuantity: charge.includedQuantity.toString(),
      },
      charge.billableMetric,
      `plan_overrides.charges.${index}`,
    );
    if (override.filters !== undefined) data.filters = checkedFilters as unknown as Prisma.InputJsonValue;
    return { charge, data };
  });

  const planData = {
    ...(overrides.amountCents !== undefined ? { amountCents: overrides.amountCents } : {}),
    ...(overrides.currency !== undefined ? { currency: overrides.currency } : {}),
    ...(overrides.name !== undefined ? { name: overrides.name } : {}),
    ...(overrides.invoiceDisplayName !== undefined ? { invoiceDisplayName: overrides.invoiceDisplayName } : {}),
    ...(overrides.description !== undefined ? { description: overrides.description } : {}),
  };

  let childId: string;
  if (plan.parentId !== null) {
    childId = plan.id;
    await tx.plan.update({ where: { id: childId }, data: planData });
    for (const { charge, data } of chargeUpdates) await tx.charge.update({ where: { id: charge.id }, data });
  } else {
    const child = await tx.plan.create({
      data: {
        serviceId: subscription.serviceId,
        parentId: plan.id,
        code: plan.code,
        name: plan.name,
        description: plan.description,
        invoiceDisplayName: plan.invoiceDisplayName,
        interval: plan.interval,
        amountCents: plan.amountCents,
        currency: plan.currency,
        payInAdvance: plan.payInAdvance,
        trialPeriodDays: plan.trialPeriodDays,
        billChargesMonthly: plan.billChargesMonthly,
        ...planData,
        // The child keeps the plan's usage thresholds: progressive billing goes on after an override (as in Lago).
        usageThresholds: { create: plan.usageThresholds.map((t) => ({ amountCents: t.amountCents, thresholdDisplayName: t.thresholdDisplayName, recurring: t.recurring })) },
      },
    });
    childId = child.id;
    const overridden = new Map(chargeUpdates.map(({ charge, data }) => [charge.id, data]));
    for (const charge of plan.charges) {
      const data = overridden.get(charge.id) ?? {};
      await tx.charge.create({
        data: {
          planId: childId,
          parentId: charge.id,
          billableMetricId: charge.billableMetricId,
          code: charge.code,
          chargeModel: charge.chargeModel,
          includedQuantity: charge.includedQuantity,
          payInAdvance: charge.payInAdvance,
          prorated: charge.prorated,
          position: charge.position,
          invoiceDisplayName: data.invoiceDisplayName !== undefined ? (data.invoiceDisplayName as string | null) : charge.invoiceDisplayName,
          minAmountCents: data.minAmountCents !== undefined ? (data.minAmountCents as bigint | null) : charge.minAmountCents,
          properties: (data.properties ?? charge.properties ?? {}) as Prisma.InputJsonValue,
          filters: (data.filters ?? charge.filters ?? []) as Prisma.InputJsonValue,
        },
      });
    }
    await tx.subscription.update({ where: { id: subscription.id }, data: { planId: childId } });
  }
  await tx.auditLog.create({
    data: { actorType: actor.type, actorId: actor.id, action: "subscription.plan_overridden", entityType: "Subscription", entityId: subscription.id, data: { planId: childId } },
  });
  return tx.plan.findUniqueOrThrow({ where: { id: childId }, include: planInclude });
}
