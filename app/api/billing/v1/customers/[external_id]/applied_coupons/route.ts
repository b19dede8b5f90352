import { db } from "@/lib/db/prisma";
import { serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { listAppliedCouponsResponse } from "@/lib/api/applied-coupons-list";

type Params = { external_id: string };

/** A customer's applied coupons (404 for a customer the service does not have). */
export const GET = serviceRoute<Params>(async ({ url, params, service }) => {
  await getServiceCustomer(db(), service.id, params.external_id);
  return listAppliedCouponsResponse(url, service.id, params.external_id);
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
