import type { Db } from "@/lib/db/prisma";
import { decimal } from "@/lib/billing/decimal";
import { localDate } from "@/lib/billing/calendar-date";
import { invoiceTaxes } from "@/lib/billing/tax/invoice-taxes";
import { Prisma, type UsageAlert } from "@/lib/generated/prisma/client";
import { companyProfile } from "@/lib/invoicing/company-profile";
import { composeInvoice } from "@/lib/invoicing/compose-invoice";
import { writeDraftInvoice } from "@/lib/invoicing/draft-invoices";
import { usageLines, type InvoiceLineDraft } from "@/lib/invoicing/invoice-lines";
import { issueInvoices } from "@/lib/invoicing/issue-invoice";
import { rateUsageWindow, type UsageWindow } from "@/lib/invoicing/usage-window";
import { progressiveDelta, progressivelyBilledByCharge } from "@/lib/invoicing/progressive-billing";
import { currentUsageWindow } from "@/lib/usage/current-usage";
import type { RatedCharge } from "@/lib/rating/rate-subscription-usage";
import { subscriptionInclude } from "@/lib/subscriptions/subscriptions";
import { recordWebhookEvents } from "@/lib/webhooks/outbound-events";
import { serializeSubscription } from "@/lib/api/serializers/subscription";
import { serializeUsageThreshold } from "@/lib/api/serializers/plan";
import { alertThresholdsOf, serializeTriggeredAlert } from "./usage-alerts";
import { crossedAlertThresholds, reachedLevels } from "./usage-levels";

/**
 * Evaluates one subscription's current-period usage against its plan's usage thresholds (progressive billing) and its
 * usage alerts, once, in one transaction:
 * - the subscription row is locked (FOR NO KEY UPDATE: usage inserts, which only take KEY SHARE through their foreign
 *   key, are never blocked), so two workers or two app instances evaluate one subscription one after the other, and
 *   the period close (which locks it FOR UPDATE SKIP LOCKED) never bills a period while a progressive invoice for it is
 *   being written;
 * - usage is rated exactly as `current_usage` and the period close rate it (rateUsageWindow over the period so far);
 * - a threshold crossing is recorded under a unique key (subscription, period, level), so it bills once; the
 *   progressive-billing invoice bills the usage so far minus what earlier progressive invoices of the period billed,
 *   taxed and issued through issueInvoices (number, status, invoice events);
 * - an alert remembers the value it last saw in the period: thresholds between that value and the current one fire one
 *   `alert.triggered`.
 */
export interface UsageEvaluation {
  usageCents: bigint;
  progressiveInvoiceId: string | null;
  thresholdsReached: number;
  alertsTriggered: number;
}

const ZERO = BigInt(0);
const NOTHING: UsageEvaluation = { usageCents: ZERO, progressiveInvoiceId: null, thresholdsReached: 0, alertsTriggered: 0 };

type Tx = Prisma.TransactionClient;

export async function evaluateSubscriptionUsage(client: Db, subscriptionId: string, now = new Date()): Promise<UsageEvaluation> {
  return client.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Subscription" WHERE id = ${subscriptionId}::uuid AND status = 'active' AND NOT shadow FOR NO KEY UPDATE`;
      if (!locked.length) return NOTHING;
      const sub = await tx.subscription.findUniqueOrThrow({
        where: { id: subscriptionId },
        include: { ...subscriptionInclude, alerts: { include: { billableMetric: true } } },
      });
      if (!sub.plan || (!sub.plan.usageThresholds.length && !sub.alerts.length)) return NOTHING;
      // Exactly the window current_usage shows and the close bills (bill_charges_monthly: the month; usageStartOf).
      const window = currentUsageWindow(sub, sub.customer.timezone, now);
      const period = window?.period;
      // The period is still open only while the close's next boundary is its end (or an earlier one still due): once
      // the close billed it, its usage is on the closing invoice.
      if (!window || !period || !sub.nextBillingAt || sub.nextBillingAt > period.end) return NOTHING;
      const rated = await rateUsageWindow(tx, sub, window);
      // Spending minimums are owed at period end, not as usage grows: thresholds and alerts watch the usage charges.
      const lines = usageLines(sub.id, rated, window).filter((l) => l.kind === "usage_charge");
      const usageCents = lines.reduce((sum, l) => sum + l.amountCents, ZERO);
      const externalCustomerId = (await tx.accountLink.findFirst({ where: { serviceId: sub.serviceId, customerId: sub.customerId }, orderBy: [{ deletedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] }))?.externalId ?? "";

      let progressiveInvoiceId: string | null = null;
      let thresholdsReached = 0;
      const thresholds = sub.plan.usageThresholds;
      if (thresholds.length) {
        const applied = await tx.appliedUsageThreshold.aggregate({ where: { subscriptionId: sub.id, periodStart: period.start }, _max: { levelCents: true } });
        const highestApplied = applied._max.levelCents ?? BigInt(-1);
        const fresh = reachedLevels(thresholds, usageCents).filter((l) => l.levelCents > highestApplied);
        if (fresh.length) {
          const rootCharges = new Map(rated.map((r) => [r.charge.id, r.charge.parentId ?? r.charge.id]));
          progressiveInvoiceId = await writeProgressiveInvoice(tx, sub, window, lines, (id) => rootCharges.get(id) ?? id, now, fresh[fresh.length - 1].levelCents);
          await tx.appliedUsageThreshold.createMany({
            data: fresh.map((l) => ({ subscriptionId: sub.id, usageThresholdId: l.threshold.id, periodStart: period.start, levelCents: l.levelCents, usageCents, invoiceId: progressiveInvoiceId })),
          });
          thresholdsReached = fresh.length;
          const reached = fresh[fresh.length - 1].threshold;
          await recordWebhookEvents(tx, [{
            serviceId: sub.serviceId, type: "subscription.usage_threshold_reached", objectType: "subscription", objectId: sub.id,
            object: { ...serializeSubscription(sub, externalCustomerId, { withPlan: true }), usage_threshold: serializeUsageThreshold(reached) },
          }]);
        }
      }

      let alertsTriggered = 0;
      for (const alert of sub.alerts) {
        const value = alertValue(alert, rated, lines);
        const samePeriod = alert.previousPeriodStart?.getTime() === period.start.getTime();
        const previous = samePeriod ? decimal(alert.previousValue.toString()) : decimal(0);
        const crossed = crossedAlertThresholds(alertThresholdsOf(alert), previous, value);
        if (crossed.length) {
          const triggered = await tx.triggeredAlert.create({
            data: { alertId: alert.id, subscriptionId: sub.id, periodStart: period.start, previousValue: previous.toString(), currentValue: value.toString(), crossedThresholds: crossed as unknown as Prisma.InputJsonValue, triggeredAt: now },
          });
          await recordWebhookEvents(tx, [{
            serviceId: sub.serviceId, type: "alert.triggered", objectType: "triggered_alert", objectId: triggered.id,
            orderingKey: `subscription:${sub.id}`,
            object: serializeTriggeredAlert(triggered, alert, { externalSubscriptionId: sub.externalId, externalCustomerId }),
          }]);
          alertsTriggered += 1;
        }
        await tx.usageAlert.update({ where: { id: alert.id }, data: { previousValue: value.toString(), previousPeriodStart: period.start, lastProcessedAt: now } });
      }
      return { usageCents, progressiveInvoiceId, thresholdsReached, alertsTriggered };
    },
    { timeout: 60_000, maxWait: 20_000 },
  );
}

/** What an alert watches, in its unit: cents for amounts, units for units. */
function alertValue(alert: UsageAlert, rated: RatedCharge[], lines: InvoiceLineDraft[]) {
  if (alert.alertType === "current_usage_amount") return decimal(lines.reduce((sum, l) => sum + l.amountCents, ZERO).toString());
  const charges = rated.filter((r) => r.charge.billableMetricId === alert.billableMetricId);
  if (alert.alertType === "billable_metric_current_usage_amount") {
    const ids = new Set(charges.map((c) => c.charge.id));
    return decimal(lines.filter((l) => l.chargeId !== null && ids.has(l.chargeId)).reduce((sum, l) => sum + l.amountCents, ZERO).toString());
  }
  // Units of the metric: every charge on it aggregates the same usage.
  return charges.length ? decimal(charges[0].price.units.toString()) : decimal(0);
}

/**
 * The progressive-billing invoice of a crossing: per charge, the usage billed so far in the period minus what earlier
 * progressive invoices of the period billed for it (voided ones excepted), taxed for the customer, then issued.
 * Returns null when nothing is left to bill (the crossing is still recorded).
 */
async function writeProgressiveInvoice(
  tx: Tx,
  sub: { id: string; customerId: string; serviceId: string; customer: Parameters<typeof invoiceTaxes>[0] & { timezone: string; currency: string }; plan: { currency: string } | null },
  window: UsageWindow,
  lines: InvoiceLineDraft[],
  rootChargeOf: (chargeId: string) => string,
  now: Date,
  levelCents: bigint,
): Promise<string | null> {
  const billed = await progressivelyBilledByCharge(tx, sub.id, window.period.start);
  const delta: InvoiceLineDraft[] = progressiveDelta(lines, billed, rootChargeOf).map(({ line, before, amountCents, quantity }) => ({
    ...line,
    quantity,
    amountCents,
    details: { ...(line.details as Record<string, Prisma.InputJsonValue>), progressiveBilling: { usageSoFarCents: line.amountCents.toString(), billedBeforeCents: before.amountCents.toString(), usageSoFarQuantity: line.quantity } },
  }));
  if (!delta.length) return null;
  const profile = await companyProfile(tx);
  const issuingDate = localDate(now, sub.customer.timezone);
  // Each line covers the period up to now: the usage billed so far.
  const sofar = delta.map((l) => ({ ...l, periodEnd: now < l.periodEnd ? now : l.periodEnd }));
  const composition = composeInvoice({ lines: sofar, taxes: (taxableCents) => invoiceTaxes(sub.customer, profile, taxableCents, issuingDate) });
  const invoice = await writeDraftInvoice(tx, {
    customerId: sub.customerId,
    serviceId: sub.serviceId,
    invoiceType: "progressive_billing",
    billingKey: `progressive:${sub.id}:${window.period.start.toISOString()}:${levelCents}`,
    periodStart: window.period.start,
    periodEnd: window.period.end,
    issuingDate,
    currency: sub.plan?.currency ?? sub.customer.currency,
    sources: [{ subscriptionId: sub.id, progressiveBilling: { levelCents: levelCents.toString(), usageWindow: { start: window.start.toISOString(), end: now.toISOString() } } }],
  }, composition);
  await issueInvoices(tx, [invoice.id], now);
  return invoice.id;
}

