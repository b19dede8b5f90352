import { db } from "@/lib/db/prisma";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeCustomer } from "@/lib/api/serializers/customer";
import { deleteServiceCustomer, getServiceCustomer } from "@/lib/customers/service-customers";

type Params = { external_id: string };

export const GET = serviceRoute<Params>(async ({ params, service }) => {
  return json({ customer: serializeCustomer(await getServiceCustomer(db(), service.id, params.external_id)) });
});

export const DELETE = serviceRoute<Params>(async ({ params, service }) => {
  return json({ customer: serializeCustomer(await deleteServiceCustomer(db(), service.id, params.external_id)) });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH };
