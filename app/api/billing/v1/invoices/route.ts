import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { arrayParam, pageRequest, paginationMeta } from "@/lib/api/pagination";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { dateQueryParam } from "@/lib/api/query-params";
import { serializeInvoice } from "@/lib/api/serializers/invoice";
import { externalIdsOfCustomers, findServiceCustomer } from "@/lib/customers/service-customers";
import { getServiceInvoice, listServiceInvoices } from "@/lib/invoicing/service-invoices";
import { createOneOffInvoice } from "@/lib/invoicing/one-off-invoices";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { oneOffInvoiceBody, oneOffInvoiceInputFrom } from "@/lib/api/schemas/add-on";
import type { InvoiceStatus } from "@/lib/generated/prisma/client";

const STATUSES = ["draft", "finalized", "voided", "paid"] as const;

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const statuses = [...arrayParam(url, "status"), ...arrayParam(url, "statuses")];
  if (statuses.some((s) => !(STATUSES as readonly string[]).includes(s))) throw validationError({ status: ["value_is_invalid"] });
  const external = url.searchParams.get("external_customer_id");
  const customer = external ? await findServiceCustomer(db(), service.id, external) : undefined;
  const { total, items } = await listServiceInvoices(db(), service.id, {
    ...page,
    customerId: external ? (customer?.customer.id ?? null) : undefined,
    // Lago has no "paid" status: a paid invoice is a finalized one whose payment succeeded.
    statuses: statuses.flatMap((st) => (st === "finalized" ? ["finalized", "paid"] : [st])) as InvoiceStatus[],
    issuingFrom: dateQueryParam(url, "issuing_date_from"),
    issuingTo: dateQueryParam(url, "issuing_date_to"),
  });
  const ids = await externalIdsOfCustomers(db(), service.id, items.map((i) => i.customerId));
  return json({ invoices: items.map((i) => serializeInvoice(i, { externalCustomerId: ids.get(i.customerId) })), meta: paginationMeta(page, total) });
});

/** A one-off invoice of add-ons (Lago's `POST /invoices`): issued at once, with tax, and collected like any other. */
export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(oneOffInvoiceBody, await readEnvelope(request, "invoice"));
  const created = await createOneOffInvoice(db(), service, oneOffInvoiceInputFrom(body), { actor: { type: "service", id: service.id } });
  const invoice = await getServiceInvoice(db(), service.id, created.id);
  return json({ invoice: serializeInvoice(invoice, { externalCustomerId: body.external_customer_id }) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
