import { db } from "@/lib/db/prisma";
import { ApiError, validationError } from "@/lib/api/errors";
import { paginationMeta, pageRequest } from "@/lib/api/pagination";
import { parseBody, readJson, zodErrorDetails } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { alertInputFrom, createAlertBody, refuseOtherStatus } from "@/lib/api/schemas/alert";
import { createAlerts, deleteAllAlerts, listAlerts, serializeAlert } from "@/lib/usage-monitoring/usage-alerts";

type Params = { external_id: string };

export const GET = serviceRoute<Params>(async ({ url, params, service }) => {
  refuseOtherStatus(url);
  const page = pageRequest(url);
  const alerts = await listAlerts(db(), service.id, params.external_id);
  return json({ alerts: alerts.slice(page.skip, page.skip + page.take).map((a) => serializeAlert(a, params.external_id)), meta: paginationMeta(page, alerts.length) });
});

/** `{alert: {...}}` creates one alert (answers `{alert}`); `{alerts: [...]}` creates several at once, all or none (answers `{alerts}`). */
export const POST = serviceRoute<Params>(async ({ request, url, params, service }) => {
  refuseOtherStatus(url);
  const body = await readJson(request);
  const root = body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  if (Array.isArray(root.alerts)) {
    if (root.alerts.length === 0 || root.alerts.length > 20) throw validationError({ alerts: ["value_is_out_of_range"] });
    const errors: Record<string, unknown> = {};
    const inputs = root.alerts.map((item, index) => {
      const parsed = createAlertBody.safeParse(item);
      if (!parsed.success) errors[String(index)] = zodErrorDetails(parsed.error, item);
      return parsed.success ? alertInputFrom(parsed.data) : null;
    });
    if (Object.keys(errors).length) throw new ApiError(422, "validation_errors", errors);
    const created = await createAlerts(db(), service.id, params.external_id, inputs.map((i) => i!));
    return json({ alerts: created.map((a) => serializeAlert(a, params.external_id)) });
  }
  if (root.alert === null || typeof root.alert !== "object" || Array.isArray(root.alert) || Object.keys(root.alert).length === 0) {
    throw new ApiError(400, "missing_root_key", undefined, "param is missing or the value is empty or invalid: alert");
  }
  const input = alertInputFrom(parseBody(createAlertBody, root.alert));
  const [created] = await createAlerts(db(), service.id, params.external_id, [input]);
  return json({ alert: serializeAlert(created, params.external_id) });
});

export const DELETE = serviceRoute<Params>(async ({ url, params, service }) => {
  refuseOtherStatus(url);
  const deleted = await deleteAllAlerts(db(), service.id, params.external_id);
  return json({ alerts: deleted.map((a) => serializeAlert(a, params.external_id)) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH };
