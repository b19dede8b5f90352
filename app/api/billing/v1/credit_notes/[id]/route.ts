import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/api/errors";
import { json, serviceRoute } from "@/lib/api/route";
import { serializeCreditNote } from "@/lib/api/serializers/invoice";

export const GET = serviceRoute<{ id: string }>(async ({ params, service }) => {
  const note = /^[0-9a-f-]{36}$/i.test(params.id)
    ? await db().creditNote.findFirst({ where: { id: params.id, invoice: { serviceId: service.id } }, include: { invoice: true } })
    : null;
  if (!note) throw notFound("credit_note");
  return json({ credit_note: serializeCreditNote(note) });
});
