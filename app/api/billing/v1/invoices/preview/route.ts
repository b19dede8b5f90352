import { db } from "@/lib/db/prisma";
import { parseBody, readJson } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { invoicePreviewBody } from "@/lib/api/schemas/invoice-preview";
import { serializeInvoicePreview } from "@/lib/api/serializers/invoice-preview";
import { previewInvoice } from "@/lib/invoicing/invoice-preview";

/** Lago's invoice preview: what a new subscription, an upgrade now or a termination would invoice, with tax; nothing is written. */
export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(invoicePreviewBody, await readJson(request));
  const preview = await previewInvoice(db(), service, {
    customer: {
      externalId: body.customer.external_id,
      name: body.customer.name ?? undefined,
      country: body.customer.country ?? undefined,
      state: body.customer.state ?? undefined,
      timezone: body.customer.timezone ?? undefined,
      currency: body.customer.currency ?? undefined,
      addressLine1: body.customer.address_line1 ?? undefined,
      addressLine2: body.customer.address_line2 ?? undefined,
      city: body.customer.city ?? undefined,
      postalCode: body.customer.zipcode ?? undefined,
      taxIdentificationNumber: body.customer.tax_identification_number ?? undefined,
    },
    planCode: body.plan_code,
    subscriptionAt: body.subscription_at,
    billingTime: body.billing_time,
    subscriptions: body.subscriptions
      ? { externalIds: body.subscriptions.external_ids, planCode: body.subscriptions.plan_code, terminatedAt: body.subscriptions.terminated_at }
      : undefined,
  });
  return json({ invoice: serializeInvoicePreview(preview) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
