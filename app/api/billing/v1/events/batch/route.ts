import { sqlPool } from "@/lib/db/sql";
import { parseBatch } from "@/lib/api/batch";
import { readArrayEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { eventBody, MAX_EVENTS_PER_BATCH } from "@/lib/api/schemas/usage";
import { serializeEvent } from "@/lib/api/serializers/usage";
import { ingestEvents } from "@/lib/usage/usage-events";
import { db } from "@/lib/db/prisma";
import { nudgeAdvanceCharges } from "@/lib/jobs/billing-jobs";

/** Up to 100 events, all or nothing (Lago's batch). */
export const POST = serviceRoute(async ({ request, service }) => {
  const items = parseBatch(eventBody, await readArrayEnvelope(request, "events"), "events", MAX_EVENTS_PER_BATCH);
  const now = new Date();
  const results = await ingestEvents(
    sqlPool(),
    service.id,
    items.map((body) => ({
      transactionId: body.transaction_id,
      code: body.code,
      externalSubscriptionId: body.external_subscription_id,
      timestamp: body.timestamp ?? now,
      properties: body.properties ?? {},
      preciseTotalAmountCents: body.precise_total_amount_cents,
    })),
  );
  nudgeAdvanceCharges(db(), results.filter((r) => !r.duplicate).map((r) => r.event));
  return json({ events: results.map((r) => serializeEvent(r.event)) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
