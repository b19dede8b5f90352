import type { StoredProviderCost } from "@/lib/costs/provider-costs";

export function serializeCost(cost: StoredProviderCost) {
  return {
    lago_id: cost.id,
    idempotency_key: cost.idempotencyKey,
    external_customer_id: cost.externalCustomerId,
    date: cost.date,
    cost_type: cost.costType,
    amount_cents: cost.amountCents,
    amount_currency: cost.currency,
    description: cost.description,
    created_at: cost.createdAt.toISOString(),
    duplicate: cost.duplicate,
  };
}
