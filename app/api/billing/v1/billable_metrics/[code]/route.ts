import { db } from "@/lib/db/prisma";
import { countPlansUsingMetric, deleteMetric, getMetricByCode, updateMetric } from "@/lib/catalog/billable-metrics";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { metricInputFrom, updateMetricBody } from "@/lib/api/schemas/billable-metric";
import { serializeMetric } from "@/lib/api/serializers/billable-metric";

type Params = { code: string };

export const GET = serviceRoute<Params>(async ({ params }) => {
  const metric = await getMetricByCode(db(), params.code);
  return json({ billable_metric: serializeMetric(metric, { plans: await countPlansUsingMetric(db(), metric.id) }) });
});

export const PUT = serviceRoute<Params>(async ({ request, params, service }) => {
  const body = parseBody(updateMetricBody, await readEnvelope(request, "billable_metric"));
  const metric = await updateMetric(db(), service.id, params.code, metricInputFrom(body));
  return json({ billable_metric: serializeMetric(metric, { plans: await countPlansUsingMetric(db(), metric.id) }) });
});

export const DELETE = serviceRoute<Params>(async ({ params, service }) => {
  return json({ billable_metric: serializeMetric(await deleteMetric(db(), service.id, params.code)) });
});

export { methodNotAllowed as POST, methodNotAllowed as PATCH };
