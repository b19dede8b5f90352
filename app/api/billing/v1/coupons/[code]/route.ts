import { db } from "@/lib/db/prisma";
import { deleteCoupon, getCoupon, updateCoupon } from "@/lib/coupons/coupons";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { couponInputFrom, updateCouponBody } from "@/lib/api/schemas/coupon";
import { serializeCoupon } from "@/lib/api/serializers/coupon";

type Params = { code: string };

export const GET = serviceRoute<Params>(async ({ params, service }) => json({ coupon: serializeCoupon(await getCoupon(db(), service.id, params.code)) }));

export const PUT = serviceRoute<Params>(async ({ request, params, service }) => {
  const body = parseBody(updateCouponBody, await readEnvelope(request, "coupon"));
  return json({ coupon: serializeCoupon(await updateCoupon(db(), service.id, params.code, couponInputFrom(body))) });
});

/** Lago's delete: the coupon is terminated, and so are its applications. */
export const DELETE = serviceRoute<Params>(async ({ params, service }) => json({ coupon: serializeCoupon(await deleteCoupon(db(), service.id, params.code)) }));

export { methodNotAllowed as POST, methodNotAllowed as PATCH };
