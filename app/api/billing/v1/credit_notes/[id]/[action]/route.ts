import { db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeCreditNote } from "@/lib/api/serializers/invoice";
import { documentLink } from "@/lib/documents/document-links";
import { getServiceCreditNote } from "@/lib/invoicing/service-invoices";
import { publicBaseUrl } from "@/lib/portal/access-token";

/** POST /credit_notes/:id/download → the note with a signed `file_url`. */
export const POST = serviceRoute<{ id: string; action: string }>(async ({ request, params, service }) => {
  if (params.action !== "download") throw new ApiError(404, "resource_not_found");
  const note = await getServiceCreditNote(db(), service.id, params.id);
  return json({ credit_note: serializeCreditNote(note, documentLink(publicBaseUrl(request), "credit_notes", note.id)) });
});

export { methodNotAllowed as GET, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
