import { db } from "@/lib/db/prisma";
import { arrayParam, pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, presentKeys, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { customerBody, customerFieldsFrom } from "@/lib/api/schemas/customer";
import { serializeCustomer } from "@/lib/api/serializers/customer";
import { listServiceCustomers, upsertServiceCustomer } from "@/lib/customers/service-customers";

/** Create or update (Lago's upsert keyed on external_id). */
export const POST = serviceRoute(async ({ request, service }) => {
  const raw = await readEnvelope(request, "customer");
  const body = parseBody(customerBody, raw);
  const result = await upsertServiceCustomer(db(), {
    serviceId: service.id,
    externalId: body.external_id,
    fields: customerFieldsFrom(body, presentKeys(raw)),
    billingCustomerId: body.billing_customer_id,
    linkToken: body.billing_link_token,
  });
  return json({ customer: serializeCustomer(result) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const { total, items } = await listServiceCustomers(db(), service.id, {
    skip: page.skip,
    take: page.take,
    externalId: url.searchParams.get("external_id") ?? undefined,
    search: url.searchParams.get("search_term") ?? undefined,
    countries: arrayParam(url, "countries"),
    currencies: arrayParam(url, "currencies"),
  });
  return json({ customers: items.map(serializeCustomer), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
