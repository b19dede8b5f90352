import { db } from "@/lib/db/prisma";
import { ApiError, notFound } from "@/lib/api/errors";
import { json, serviceRoute } from "@/lib/api/route";
import { serializeCreditNote } from "@/lib/api/serializers/invoice";
import { documentLink } from "@/lib/documents/document-links";
import { publicBaseUrl } from "@/lib/portal/access-token";

/** POST /credit_notes/:id/download → the note with a signed `file_url`. */
export const POST = serviceRoute<{ id: string; action: string }>(async ({ request, params, service }) => {
  if (params.action !== "download") throw new ApiError(404, "resource_not_found");
  const note = /^[0-9a-f-]{36}$/i.test(params.id)
    ? await db().creditNote.findFirst({ where: { id: params.id, invoice: { serviceId: service.id } }, include: { invoice: true } })
    : null;
  if (!note) throw notFound("credit_note");
  return json({ credit_note: serializeCreditNote(note, documentLink(publicBaseUrl(request), "credit_notes", note.id)) });
});
