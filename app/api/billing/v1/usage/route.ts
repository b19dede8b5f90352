import { sqlPool } from "@/lib/db/sql";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { quickUsageRecord, usageRecordBody } from "@/lib/api/schemas/usage";
import { serializeUsageRecord } from "@/lib/api/serializers/usage";
import { recordUsage } from "@/lib/usage/usage-rollups";

/** Aggregate usage push: `{usage: {external_subscription_id, code, period_start, period_end | timestamp, value, idempotency_key}}`. */
export const POST = serviceRoute(async ({ request, service }) => {
  const body = await readEnvelope(request, "usage");
  const record = quickUsageRecord(body) ?? parseBody(usageRecordBody, body);
  const [stored] = await recordUsage(sqlPool(), service.id, [record]);
  return json({ usage: serializeUsageRecord(stored) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
