import { sqlPool } from "@/lib/db/sql";
import { parseBatch } from "@/lib/api/batch";
import { readArrayEnvelope } from "@/lib/api/request";
import { jsonList, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { MAX_USAGE_PER_BATCH, quickUsageRecord, usageRecordBody } from "@/lib/api/schemas/usage";
import { serializeUsageReceipts } from "@/lib/api/serializers/usage";
import { recordUsage } from "@/lib/usage/usage-rollups";

/** Up to 1000 usage records `{usage: [...]}`, all or nothing; answers one receipt per record, in order. */
export const POST = serviceRoute(async ({ request, service }) => {
  const records = parseBatch(usageRecordBody, await readArrayEnvelope(request, "usage"), "usage", MAX_USAGE_PER_BATCH, quickUsageRecord);
  const stored = await recordUsage(sqlPool(), service.id, records);
  return jsonList("usage", serializeUsageReceipts(stored));
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
