import { db } from "@/lib/db/prisma";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeAppliedCoupon } from "@/lib/api/serializers/coupon";
import { terminateAppliedCoupon } from "@/lib/coupons/applied-coupons";

type Params = { external_id: string; applied_coupon_id: string };

/** Removes the coupon from the customer: it stops applying to their next invoices. */
export const DELETE = serviceRoute<Params>(async ({ params, service }) => {
  const applied = await terminateAppliedCoupon(db(), service.id, params.external_id, params.applied_coupon_id);
  return json({ applied_coupon: serializeAppliedCoupon(applied, params.external_id) });
});

export { methodNotAllowed as GET, methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH };
