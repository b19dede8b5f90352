import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { AGGREGATION_TO_LAGO } from "@/lib/api/schemas/billable-metric";
import { currentUsage } from "@/lib/usage/current-usage";

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
      charges_usage: usage.charges.map(({ charge, aggregate, price }) => ({
        units: aggregate.units.toString(),
        total_aggregated_units: (aggregate.closingLevel ?? aggregate.units).toString(),
        events_count: aggregate.eventsCount,
        amount_cents: price.amountCents + price.trueUpCents,
        amount_currency: usage.currency,
        included_units: price.includedUnits.toString(),
        pricing_unit_details: null,
        charge: { lago_id: charge.id, code: charge.code, charge_model: charge.chargeModel, invoice_display_name: charge.invoiceDisplayName },
        billable_metric: {
          lago_id: charge.billableMetric.id,
          name: charge.billableMetric.name,
          code: charge.billableMetric.code,
          aggregation_type: AGGREGATION_TO_LAGO[charge.billableMetric.aggregation],
        },
        filters: [],
        grouped_usage: [],
        presentation_breakdowns: [],
      })),
    },
  });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
