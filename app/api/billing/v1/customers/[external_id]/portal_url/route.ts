import { db } from "@/lib/db/prisma";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { getServiceCustomer } from "@/lib/customers/service-customers";
import { createPortalToken, publicBaseUrl } from "@/lib/portal/access-token";

export const GET = serviceRoute<{ external_id: string }>(async ({ request, params, service }) => {
  const { customer } = await getServiceCustomer(db(), service.id, params.external_id);
  const portalUrl = `${publicBaseUrl(request)}/portal/access/${createPortalToken(customer.id)}`;
  return json({ customer: { portal_url: portalUrl } });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
