import { db } from "@/lib/db/prisma";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { costBody } from "@/lib/api/schemas/cost";
import { serializeCost } from "@/lib/api/serializers/cost";
import { recordProviderCosts } from "@/lib/costs/provider-costs";

/** One provider cost `{cost: {...}}` for the margin report (lib/costs/provider-costs.ts). */
export const POST = serviceRoute(async ({ request, service }) => {
  const cost = parseBody(costBody, await readEnvelope(request, "cost"));
  const [stored] = await recordProviderCosts(db(), service.id, [cost]);
  return json({ cost: serializeCost(stored) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
