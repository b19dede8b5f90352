import type { Db } from "@/lib/db/prisma";
import { DomainError, invalidField, isUniqueViolation } from "@/lib/errors";
import type { BillableMetric, Prisma, TriggeredAlert, UsageAlert } from "@/lib/generated/prisma/client";
import { getServiceSubscription } from "@/lib/subscriptions/subscriptions";
import { serializeMetric } from "@/lib/api/serializers/billable-metric";
import type { AlertThreshold } from "./usage-levels";

/**
 * A subscription's usage alerts (Lago's `/subscriptions/:external_id/alerts`). The alert types about the current
 * period's usage are implemented; the lifetime ones are refused (422 not_supported): the usage monitor
 * (evaluate-usage.ts) evaluates them and sends `alert.triggered`.
 */
export const SUPPORTED_ALERT_TYPES = ["current_usage_amount", "billable_metric_current_usage_amount", "billable_metric_current_usage_units"] as const;
export type AlertType = (typeof SUPPORTED_ALERT_TYPES)[number];

export interface AlertInput {
  alertType?: AlertType;
  code?: string;
  name?: string | null;
  billableMetricCode?: string | null;
  thresholds?: AlertThreshold[];
}

export type AlertWithMetric = UsageAlert & { billableMetric: BillableMetric | null };

export function alertThresholdsOf(alert: Pick<UsageAlert, "thresholds">): AlertThreshold[] {
  return Array.isArray(alert.thresholds) ? (alert.thresholds as unknown as AlertThreshold[]) : [];
}

const needsMetric = (type: string) => type !== "current_usage_amount";

async function metricFor(tx: Prisma.TransactionClient, type: string, code: string | null | undefined, planId: string | null): Promise<BillableMetric | null> {
  if (!needsMetric(type)) {
    if (code) throw invalidField("billable_metric_code", "value_must_be_blank", "current_usage_amount alerts watch the whole usage, not one metric");
    return null;
  }
  if (!code) throw invalidField("billable_metric_code", "value_is_mandatory");
  const metric = await tx.billableMetric.findFirst({ where: { code, deletedAt: null } });
  if (!metric) throw new DomainError("not_found", "billable_metric_not_found");
  // Usage is rated through the plan's charges: a metric the plan does not charge has nothing to watch.
  const charged = planId ? await tx.charge.count({ where: { planId, billableMetricId: metric.id, deletedAt: null } }) : 0;
  if (!charged) throw invalidField("billable_metric_code", "billable_metric_not_in_plan", "The subscription's plan has no charge on this metric");
  return metric;
}

export async function createAlerts(client: Db, serviceId: string, externalSubscriptionId: string, inputs: AlertInput[]): Promise<AlertWithMetric[]> {
  try {
    return await client.$transaction(async (tx) => {
      const sub = await getServiceSubscription(tx, serviceId, externalSubscriptionId);
      const created: AlertWithMetric[] = [];
      for (const input of inputs) {
        const metric = await metricFor(tx, input.alertType!, input.billableMetricCode, sub.planId);
        created.push(await tx.usageAlert.create({
          data: {
            serviceId, subscriptionId: sub.id, alertType: input.alertType!, code: input.code!, name: input.name ?? null,
            billableMetricId: metric?.id ?? null, thresholds: (input.thresholds ?? []) as unknown as Prisma.InputJsonValue,
          },
          include: { billableMetric: true },
        }));
      }
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

async function findAlert(client: Db | Prisma.TransactionClient, serviceId: string, externalSubscriptionId: string, code: string): Promise<AlertWithMetric> {
  const sub = await getServiceSubscription(client, serviceId, externalSubscriptionId);
  const alert = await client.usageAlert.findUnique({ where: { subscriptionId_code: { subscriptionId: sub.id, code } }, include: { billableMetric: true } });
  if (!alert) throw new DomainError("not_found", "alert_not_found");
  return alert;
}

export function getAlert(client: Db, serviceId: string, externalSubscriptionId: string, code: string) {
  return findAlert(client, serviceId, externalSubscriptionId, code);
}

export async function listAlerts(client: Db, serviceId: string, externalSubscriptionId: string): Promise<AlertWithMetric[]> {
  const sub = await getServiceSubscription(client, serviceId, externalSubscriptionId);
  return client.usageAlert.findMany({ where: { subscriptionId: sub.id }, include: { billableMetric: true }, orderBy: [{ createdAt: "asc" }, { code: "asc" }] });
}

/** Updates name, code, metric and thresholds; the type never changes (as Lago). */
export async function updateAlert(client: Db, serviceId: string, externalSubscriptionId: string, code: string, input: AlertInput): Promise<AlertWithMetric> {
  try {
    return await client.$transaction(async (tx) => {
      const alert = await findAlert(tx, serviceId, externalSubscriptionId, code);
      const sub = await tx.subscription.findUniqueOrThrow({ where: { id: alert.subscriptionId } });
      const data: Prisma.UsageAlertUncheckedUpdateInput = {};
      if (input.code !== undefined) data.code = input.code;
      if (input.name !== undefined) data.name = input.name;
      if (input.thresholds !== undefined) data.thresholds = input.thresholds as unknown as Prisma.InputJsonValue;
      if (input.billableMetricCode !== undefined) data.billableMetricId = (await metricFor(tx, alert.alertType, input.billableMetricCode, sub.planId))?.id ?? null;
      return tx.usageAlert.update({ where: { id: alert.id }, data, include: { billableMetric: true } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

export async function deleteAlert(client: Db, serviceId: string, externalSubscriptionId: string, code: string): Promise<AlertWithMetric> {
  const alert = await findAlert(client, serviceId, externalSubscriptionId, code);
  await client.usageAlert.delete({ where: { id: alert.id } });
  return alert;
}

export async function deleteAllAlerts(client: Db, serviceId: string, externalSubscriptionId: string): Promise<AlertWithMetric[]> {
  const sub = await getServiceSubscription(client, serviceId, externalSubscriptionId);
  const alerts = await client.usageAlert.findMany({ where: { subscriptionId: sub.id }, include: { billableMetric: true }, orderBy: [{ createdAt: "asc" }, { code: "asc" }] });
  await client.usageAlert.deleteMany({ where: { id: { in: alerts.map((a) => a.id) } } });
  return alerts;
}

const number = (value: { toString(): string }) => Number(value.toString());

/** Lago's alert object. */
export function serializeAlert(alert: AlertWithMetric, externalSubscriptionId: string) {
  return {
    lago_id: alert.id,
    lago_organization_id: alert.serviceId,
    external_subscription_id: externalSubscriptionId,
    lago_wallet_id: null,
    wallet_code: null,
    billable_metric: alert.billableMetric ? serializeMetric(alert.billableMetric) : null,
    alert_type: alert.alertType,
    code: alert.code,
    name: alert.name,
    direction: "increasing",
    previous_value: number(alert.previousValue),
    last_processed_at: alert.lastProcessedAt?.toISOString() ?? null,
    thresholds: alertThresholdsOf(alert),
    created_at: alert.createdAt.toISOString(),
  };
}

/** Lago's triggered_alert object (the `alert.triggered` webhook). */
export function serializeTriggeredAlert(triggered: TriggeredAlert, alert: AlertWithMetric, ids: { externalSubscriptionId: string; externalCustomerId: string }) {
  return {
    lago_id: triggered.id,
    lago_organization_id: alert.serviceId,
    lago_alert_id: alert.id,
    lago_subscription_id: triggered.subscriptionId,
    external_subscription_id: ids.externalSubscriptionId,
    external_customer_id: ids.externalCustomerId,
    billable_metric_code: alert.billableMetric?.code ?? null,
    alert_type: alert.alertType,
    alert_code: alert.code,
    alert_name: alert.name,
    current_value: number(triggered.currentValue),
    previous_value: number(triggered.previousValue),
    triggered_at: triggered.triggeredAt.toISOString(),
    crossed_thresholds: triggered.crossedThresholds,
  };
}

/** A customer's usage alerts with their last trigger (console, customer page). */
export async function customerUsageAlerts(client: Db, customerId: string) {
  return client.usageAlert.findMany({
    where: { subscription: { customerId } },
    include: { billableMetric: true, subscription: { select: { externalId: true } }, triggered: { orderBy: { triggeredAt: "desc" }, take: 1 } },
    orderBy: [{ createdAt: "asc" }, { code: "asc" }],
  });
}
