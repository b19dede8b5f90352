import { z } from "zod";
import { isCalendarDate, localDate } from "@/lib/billing/calendar-date";
import { BOOKS_TIMEZONE, type ProviderCostInput } from "@/lib/costs/provider-costs";
import { amountCents, currencyCode, externalId, isoDateTime } from "./common";

export const MAX_COSTS_PER_BATCH = 1000;

/**
 * One provider cost: `{external_customer_id, date | timestamp, cost_type, amount_cents, amount_currency, description?,
 * idempotency_key}`. `date` is a day in the books' timezone (America/Toronto); `timestamp` (ISO 8601) is read as the
 * Toronto date it falls on. Exactly one of the two.
 */
export const costBody = z
  .strictObject({
    external_customer_id: externalId,
    date: z.string().trim().refine((v) => isCalendarDate(v) && v >= "2000-01-01" && v < "2100-01-01", "invalid_date").optional(),
    timestamp: isoDateTime.optional(),
    cost_type: z.string().trim().min(1, "value_is_mandatory").max(100).regex(/^[A-Za-z0-9_.:-]+$/, "value_is_invalid"),
    amount_cents: amountCents,
    amount_currency: currencyCode,
    description: z.string().trim().max(255).nullable().optional(),
    idempotency_key: z.string().trim().min(1, "value_is_mandatory").max(255),
  })
  .superRefine((c, ctx) => {
    if (c.date && c.timestamp) ctx.addIssue({ code: "custom", path: ["timestamp"], message: "value_is_invalid" });
    else if (!c.date && !c.timestamp) ctx.addIssue({ code: "custom", path: ["date"], message: "value_is_mandatory" });
  })
  .transform((c): ProviderCostInput => ({
    externalCustomerId: c.external_customer_id,
    date: c.date ?? localDate(c.timestamp!, BOOKS_TIMEZONE),
    costType: c.cost_type,
    amountCents: c.amount_cents,
    currency: c.amount_currency,
    description: c.description || null,
    idempotencyKey: c.idempotency_key,
  }));
