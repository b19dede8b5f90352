import { db } from "@/lib/db/prisma";
import { json, methodNotAllowed, serviceRoute } from "@/lib/api/route";
import { issueLinkToken } from "@/lib/customers/link-tokens";
import { getServiceCustomer } from "@/lib/customers/service-customers";

/**
 * A service that bills this customer issues a link token a sibling app can use to link its own account to the same
 * customer (`billing_customer_id` + `billing_link_token` on POST /customers). Single use, valid 30 minutes.
 */
export const POST = serviceRoute<{ external_id: string }>(async ({ params, service }) => {
  const { customer } = await getServiceCustomer(db(), service.id, params.external_id);
  const issued = await issueLinkToken(db(), customer.id, { type: "service", id: service.id });
  return json({ link_token: { token: issued.token, lago_customer_id: customer.id, expires_at: issued.expiresAt.toISOString() } });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
