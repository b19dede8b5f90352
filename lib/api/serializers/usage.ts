import type { UsageEvent } from "@/lib/generated/prisma/client";
import type { StoredUsageRecord } from "@/lib/usage/usage-rollups";

export function serializeEvent(event: UsageEvent, customerId: string | null = null) {
  return {
    lago_id: event.id,
    transaction_id: event.transactionId,
    lago_customer_id: customerId,
    code: event.code,
    timestamp: event.timestamp.toISOString(),
    precise_total_amount_cents: event.preciseTotalAmountCents?.toString() ?? null,
    properties: event.properties,
    lago_subscription_id: event.subscriptionId,
    external_subscription_id: event.externalSubscriptionId,
    created_at: event.createdAt.toISOString(),
  };
}

export function serializeUsageRecord(record: StoredUsageRecord) {
  return {
    lago_id: record.id,
    idempotency_key: record.idempotencyKey,
    external_subscription_id: record.externalSubscriptionId,
    code: record.metricCode,
    period_start: record.periodStart.toISOString(),
    period_end: record.periodEnd.toISOString(),
    value: record.value,
    created_at: record.createdAt.toISOString(),
    duplicate: record.duplicate,
  };
}

/**
 * A batch answer names each record by its key (the caller sent the rest). The records written now share one
 * createdAt, formatted once.
 */
export function serializeUsageReceipts(records: StoredUsageRecord[]) {
  let lastTime = NaN;
  let lastText = "";
  return records.map((record) => {
    const time = record.createdAt.getTime();
    if (time !== lastTime) [lastTime, lastText] = [time, record.createdAt.toISOString()];
    return { lago_id: record.id, idempotency_key: record.idempotencyKey, created_at: lastText, duplicate: record.duplicate };
  });
}
