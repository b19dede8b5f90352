import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { AGGREGATION_TO_LAGO } from "@/lib/api/schemas/billable-metric";
import { decimal, type Decimal } from "@/lib/billing/decimal";
import type { RatedCharge } from "@/lib/rating/rate-subscription-usage";
import { currentUsage } from "@/lib/usage/current-usage";

/** Rated buckets grouped back by charge (a charge with filters is rated once per filter and once for its default). */
function chargesUsage(rated: RatedCharge[]) {
  const byCharge = new Map<string, { charge: RatedCharge["charge"]; buckets: RatedCharge[] }>();
  for (const r of rated) (byCharge.get(r.charge.id) ?? byCharge.set(r.charge.id, { charge: r.charge, buckets: [] }).get(r.charge.id)!).buckets.push(r);
  return [...byCharge.values()];
}

export const GET = serviceRoute<{ external_id: string }>(async ({ url, params, service }) => {
  const externalSubscriptionId = url.searchParams.get("external_subscription_id");
  if (!externalSubscriptionId) throw validationError({ external_subscription_id: ["value_is_mandatory"] });
  const usage = await currentUsage(db(), service.id, params.external_id, externalSubscriptionId);
  return json({
    customer_usage: {
      from_datetime: usage.periodStart.toISOString(),
      to_datetime: usage.periodEnd.toISOString(),
      issuing_date: usage.periodEnd.toISOString().slice(0, 10),
      currency: usage.currency,
      amount_cents: usage.amountCents,
      taxes_amount_cents: usage.taxesCents,
      total_amount_cents: usage.amountCents + usage.taxesCents,
      lago_invoice_id: null,
      charges_usage: chargesUsage(usage.charges).map(({ charge, buckets }) => {
        const total = (pick: (rated: RatedCharge) => Decimal) => buckets.reduce((sum, rated) => sum.plus(pick(rated)), decimal(0)).toString();
        const amountOf = (rated: RatedCharge) => rated.price.amountCents + rated.price.trueUpCents;
        return {
          units: total((r) => r.aggregate.units),
          total_aggregated_units: total((r) => r.aggregate.closingLevel ?? r.aggregate.units),
          events_count: buckets.reduce((sum, r) => sum + r.aggregate.eventsCount, 0),
          amount_cents: buckets.reduce((sum, r) => sum + amountOf(r), BigInt(0)),
          amount_currency: usage.currency,
          included_units: total((r) => r.price.includedUnits),
          pricing_unit_details: null,
          charge: { lago_id: charge.id, code: charge.code, charge_model: charge.chargeModel, invoice_display_name: charge.invoiceDisplayName },
          billable_metric: {
            lago_id: charge.billableMetric.id,
            name: charge.billableMetric.name,
            code: charge.billableMetric.code,
            aggregation_type: AGGREGATION_TO_LAGO[charge.billableMetric.aggregation],
          },
          // Lago lists a charge's filters with their share (the default bucket with null display name and no values).
          filters: buckets.filter((r) => r.filter).map((r) => ({
            units: r.aggregate.units.toString(),
            total_aggregated_units: (r.aggregate.closingLevel ?? r.aggregate.units).toString(),
            amount_cents: amountOf(r),
            events_count: r.aggregate.eventsCount,
            invoice_display_name: r.filter!.filter?.invoice_display_name ?? null,
            values: r.filter!.filter?.values ?? {},
          })),
          grouped_usage: [],
          presentation_breakdowns: [],
        };
      }),
    },
  });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
