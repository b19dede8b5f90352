import { db } from "@/lib/db/prisma";
import { sqlPool } from "@/lib/db/sql";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { dateQueryParam } from "@/lib/api/query-params";
import { eventBody } from "@/lib/api/schemas/usage";
import { serializeEvent } from "@/lib/api/serializers/usage";
import { ingestEvents } from "@/lib/usage/usage-events";
import { nudgeAdvanceCharges } from "@/lib/jobs/billing-jobs";
import type { Prisma } from "@/lib/generated/prisma/client";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(eventBody, await readEnvelope(request, "event"));
  const [result] = await ingestEvents(sqlPool(), service.id, [
    {
      transactionId: body.transaction_id,
      code: body.code,
      externalSubscriptionId: body.external_subscription_id,
      timestamp: body.timestamp ?? new Date(),
      properties: body.properties ?? {},
      preciseTotalAmountCents: body.precise_total_amount_cents,
    },
  ]);
  if (!result.duplicate) nudgeAdvanceCharges(db(), [result.event]);
  return json({ event: serializeEvent(result.event) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const from = dateQueryParam(url, "timestamp_from");
  const to = dateQueryParam(url, "timestamp_to");
  const where: Prisma.UsageEventWhereInput = {
    serviceId: service.id,
    ...(url.searchParams.get("code") ? { code: url.searchParams.get("code")! } : {}),
    ...(url.searchParams.get("external_subscription_id") ? { externalSubscriptionId: url.searchParams.get("external_subscription_id")! } : {}),
    ...(from || to ? { timestamp: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
  };
  const [total, events] = await Promise.all([
    db().usageEvent.count({ where }),
    db().usageEvent.findMany({ where, orderBy: [{ timestamp: "desc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return json({ events: events.map((e) => serializeEvent(e)), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
