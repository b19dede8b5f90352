import { db } from "@/lib/db/prisma";
import { parseBatch } from "@/lib/api/batch";
import { readArrayEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { costBody, MAX_COSTS_PER_BATCH } from "@/lib/api/schemas/cost";
import { serializeCost } from "@/lib/api/serializers/cost";
import { recordProviderCosts } from "@/lib/costs/provider-costs";

/** Up to 1000 provider costs `{costs: [...]}`, all or nothing; one answer per cost, in order. */
export const POST = serviceRoute(async ({ request, service }) => {
  const costs = parseBatch(costBody, await readArrayEnvelope(request, "costs"), "costs", MAX_COSTS_PER_BATCH);
  const stored = await recordProviderCosts(db(), service.id, costs);
  return json({ costs: stored.map(serializeCost) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
