import { db } from "@/lib/db/prisma";
import { deletePlan, getPlanByCode, updatePlan } from "@/lib/catalog/plans";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { planInputFrom, updatePlanBody } from "@/lib/api/schemas/plan";
import { serializePlan } from "@/lib/api/serializers/plan";

type Params = { code: string };

async function counts(planId: string) {
  const active = await db().subscription.findMany({ where: { planId, status: "active" }, select: { customerId: true } });
  return { activeSubscriptions: active.length, customers: new Set(active.map((s) => s.customerId)).size };
}

export const GET = serviceRoute<Params>(async ({ params }) => {
  const plan = await getPlanByCode(db(), params.code);
  return json({ plan: serializePlan(plan, await counts(plan.id)) });
});

export const PUT = serviceRoute<Params>(async ({ request, params, service }) => {
  const body = parseBody(updatePlanBody, await readEnvelope(request, "plan"));
  const plan = await updatePlan(db(), service.id, params.code, planInputFrom(body));
  return json({ plan: serializePlan(plan, await counts(plan.id)) });
});

export const DELETE = serviceRoute<Params>(async ({ params, service }) => {
  return json({ plan: serializePlan(await deletePlan(db(), service.id, params.code)) });
});

export { methodNotAllowed as POST, methodNotAllowed as PATCH };
