import { db } from "@/lib/db/prisma";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { alertInputFrom, refuseOtherStatus, updateAlertBody } from "@/lib/api/schemas/alert";
import { deleteAlert, getAlert, serializeAlert, updateAlert } from "@/lib/usage-monitoring/usage-alerts";

type Params = { external_id: string; code: string };

export const GET = serviceRoute<Params>(async ({ url, params, service }) => {
  refuseOtherStatus(url);
  return json({ alert: serializeAlert(await getAlert(db(), service.id, params.external_id, params.code), params.external_id) });
});

export const PUT = serviceRoute<Params>(async ({ request, url, params, service }) => {
  refuseOtherStatus(url);
  const body = parseBody(updateAlertBody, await readEnvelope(request, "alert"));
  return json({ alert: serializeAlert(await updateAlert(db(), service.id, params.external_id, params.code, alertInputFrom(body)), params.external_id) });
});

export const DELETE = serviceRoute<Params>(async ({ url, params, service }) => {
  refuseOtherStatus(url);
  return json({ alert: serializeAlert(await deleteAlert(db(), service.id, params.external_id, params.code), params.external_id) });
});

export { methodNotAllowed as POST, methodNotAllowed as PATCH };
