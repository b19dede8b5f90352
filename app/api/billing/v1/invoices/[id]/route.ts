import { db } from "@/lib/db/prisma";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeInvoice } from "@/lib/api/serializers/invoice";
import { externalIdsOfCustomers } from "@/lib/customers/service-customers";
import { getServiceInvoice } from "@/lib/invoicing/service-invoices";

export const GET = serviceRoute<{ id: string }>(async ({ params, service }) => {
  const invoice = await getServiceInvoice(db(), service.id, params.id);
  const ids = await externalIdsOfCustomers(db(), service.id, [invoice.customerId]);
  return json({ invoice: serializeInvoice(invoice, { externalCustomerId: ids.get(invoice.customerId) }) });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
