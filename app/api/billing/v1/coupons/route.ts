import { db } from "@/lib/db/prisma";
import { createCoupon, listCoupons, type CouponInput } from "@/lib/coupons/coupons";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { couponInputFrom, createCouponBody } from "@/lib/api/schemas/coupon";
import { serializeCoupon } from "@/lib/api/serializers/coupon";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createCouponBody, await readEnvelope(request, "coupon"));
  return json({ coupon: serializeCoupon(await createCoupon(db(), service.id, couponInputFrom(body) as CouponInput)) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const { total, items } = await listCoupons(db(), service.id, page);
  return json({ coupons: items.map(serializeCoupon), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
