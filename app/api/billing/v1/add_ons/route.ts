import { db } from "@/lib/db/prisma";
import { createAddOn, listAddOns, type AddOnInput } from "@/lib/catalog/add-ons";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { addOnInputFrom, createAddOnBody } from "@/lib/api/schemas/add-on";
import { serializeAddOn } from "@/lib/api/serializers/coupon";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createAddOnBody, await readEnvelope(request, "add_on"));
  return json({ add_on: serializeAddOn(await createAddOn(db(), service.id, addOnInputFrom(body) as AddOnInput)) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const { total, items } = await listAddOns(db(), service.id, page);
  return json({ add_ons: items.map(serializeAddOn), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
