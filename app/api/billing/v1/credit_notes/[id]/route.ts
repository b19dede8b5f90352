import { db } from "@/lib/db/prisma";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { serializeCreditNote } from "@/lib/api/serializers/invoice";
import { creditNoteRefundStatuses } from "@/lib/payments/credit-note-refunds";
import { getServiceCreditNote } from "@/lib/invoicing/service-invoices";

export const GET = serviceRoute<{ id: string }>(async ({ params, service }) => {
  const note = await getServiceCreditNote(db(), service.id, params.id);
  const refundStatus = (await creditNoteRefundStatuses(db(), [note])).get(note.id);
  return json({ credit_note: serializeCreditNote({ ...note, refundStatus }) });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
