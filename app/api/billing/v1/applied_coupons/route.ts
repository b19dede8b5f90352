import { db } from "@/lib/db/prisma";
import { listAppliedCouponsResponse } from "@/lib/api/applied-coupons-list";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { applyCouponBody, applyCouponInputFrom } from "@/lib/api/schemas/coupon";
import { serializeAppliedCoupon } from "@/lib/api/serializers/coupon";
import { applyCoupon } from "@/lib/coupons/applied-coupons";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(applyCouponBody, await readEnvelope(request, "applied_coupon"));
  const applied = await applyCoupon(db(), service.id, applyCouponInputFrom(body), new Date(), { type: "service", id: service.id });
  return json({ applied_coupon: serializeAppliedCoupon(applied, body.external_customer_id) });
});

export const GET = serviceRoute(async ({ url, service }) => listAppliedCouponsResponse(url, service.id, url.searchParams.get("external_customer_id")));

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
