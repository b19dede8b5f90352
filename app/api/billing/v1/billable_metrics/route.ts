import { db } from "@/lib/db/prisma";
import { createMetric, listMetrics, type MetricInput } from "@/lib/catalog/billable-metrics";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { createMetricBody, metricInputFrom } from "@/lib/api/schemas/billable-metric";
import { serializeMetric } from "@/lib/api/serializers/billable-metric";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createMetricBody, await readEnvelope(request, "billable_metric"));
  const metric = await createMetric(db(), service.id, metricInputFrom(body) as MetricInput);
  return json({ billable_metric: serializeMetric(metric) });
});

export const GET = serviceRoute(async ({ url }) => {
  const page = pageRequest(url);
  const { total, items } = await listMetrics(db(), page);
  return json({ billable_metrics: items.map((m) => serializeMetric(m)), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
