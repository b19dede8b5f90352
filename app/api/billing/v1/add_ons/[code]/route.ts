import { db } from "@/lib/db/prisma";
import { deleteAddOn, getAddOn, updateAddOn } from "@/lib/catalog/add-ons";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { addOnInputFrom, updateAddOnBody } from "@/lib/api/schemas/add-on";
import { serializeAddOn } from "@/lib/api/serializers/coupon";

type Params = { code: string };

export const GET = serviceRoute<Params>(async ({ params, service }) => json({ add_on: serializeAddOn(await getAddOn(db(), service.id, params.code)) }));

export const PUT = serviceRoute<Params>(async ({ request, params, service }) => {
  const body = parseBody(updateAddOnBody, await readEnvelope(request, "add_on"));
  return json({ add_on: serializeAddOn(await updateAddOn(db(), service.id, params.code, addOnInputFrom(body))) });
});

export const DELETE = serviceRoute<Params>(async ({ params, service }) => json({ add_on: serializeAddOn(await deleteAddOn(db(), service.id, params.code)) }));

export { methodNotAllowed as POST, methodNotAllowed as PATCH };
