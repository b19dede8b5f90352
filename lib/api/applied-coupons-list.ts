import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { arrayParam, pageRequest, paginationMeta } from "@/lib/api/pagination";
import { json } from "@/lib/api/route";
import { serializeAppliedCoupon } from "@/lib/api/serializers/coupon";
import { listAppliedCoupons } from "@/lib/coupons/applied-coupons";
import { externalIdsOfCustomers, findServiceCustomer } from "@/lib/customers/service-customers";

/** GET /applied_coupons (Lago): the service's applied coupons, by customer, status and coupon code. */
export async function listAppliedCouponsResponse(url: URL, serviceId: string, externalCustomerId: string | null): Promise<Response> {
  const page = pageRequest(url);
  const status = url.searchParams.get("status");
  if (status !== null && status !== "active" && status !== "terminated") throw validationError({ status: ["value_is_invalid"] });
  const customer = externalCustomerId ? await findServiceCustomer(db(), serviceId, externalCustomerId) : undefined;
  const { total, items } = await listAppliedCoupons(db(), serviceId, {
    ...page,
    customerId: externalCustomerId ? (customer?.customer.id ?? null) : undefined,
    status: status ?? undefined,
    couponCodes: arrayParam(url, "coupon_code"),
  });
  const ids = await externalIdsOfCustomers(db(), serviceId, items.map((i) => i.customerId));
  return json({ applied_coupons: items.map((a) => serializeAppliedCoupon(a, ids.get(a.customerId) ?? "")), meta: paginationMeta(page, total) });
}

