import { db } from "@/lib/db/prisma";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeCreditNote } from "@/lib/api/serializers/invoice";
import { getServiceCreditNote } from "@/lib/invoicing/service-invoices";

export const GET = serviceRoute<{ id: string }>(async ({ params, service }) => {
  return json({ credit_note: serializeCreditNote(await getServiceCreditNote(db(), service.id, params.id)) });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
