import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/api/errors";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeEvent } from "@/lib/api/serializers/usage";
import { findEvent } from "@/lib/usage/usage-events";

export const GET = serviceRoute<{ transaction_id: string }>(async ({ params, service }) => {
  const event = await findEvent(db(), service.id, params.transaction_id);
  if (!event) throw notFound("event");
  return json({ event: serializeEvent(event) });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
