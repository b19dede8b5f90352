import { db } from "@/lib/db/prisma";
import { createPlan, listPlans, type PlanInput } from "@/lib/catalog/plans";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { createPlanBody, planInputFrom } from "@/lib/api/schemas/plan";
import { serializePlan } from "@/lib/api/serializers/plan";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(createPlanBody, await readEnvelope(request, "plan"));
  return json({ plan: serializePlan(await createPlan(db(), service.id, planInputFrom(body) as PlanInput)) });
});

export const GET = serviceRoute(async ({ url }) => {
  const page = pageRequest(url);
  const { total, items } = await listPlans(db(), page);
  return json({ plans: items.map((p) => serializePlan(p)), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
