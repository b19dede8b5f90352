import { db } from "@/lib/db/prisma";
import { validationError } from "@/lib/api/errors";
import { pageRequest, paginationMeta } from "@/lib/api/pagination";
import { parseBody, readEnvelope } from "@/lib/api/request";
import { json, serviceRoute, methodNotAllowed } from "@/lib/api/route";
import { creditNoteBody } from "@/lib/api/schemas/credit-note";
import { serializeCreditNote } from "@/lib/api/serializers/invoice";
import { issueCreditNote } from "@/lib/invoicing/credit-notes";
import { getServiceInvoice } from "@/lib/invoicing/service-invoices";
import { refundCreditNoteToCard, withRefundStatus } from "@/lib/payments/credit-note-refunds";

export const POST = serviceRoute(async ({ request, service }) => {
  const body = parseBody(creditNoteBody, await readEnvelope(request, "credit_note"));
  const invoice = await getServiceInvoice(db(), service.id, body.invoice_id);
  const kind = (body.refund_amount_cents ?? BigInt(0)) > BigInt(0) ? "refund" : "credit";
  const note = await db().$transaction(async (tx) => {
    const issued = await issueCreditNote(tx, {
      invoiceId: invoice.id,
      reason: body.reason,
      description: body.description,
      kind,
      items: body.items.map((i) => ({ invoiceLineId: i.fee_id, amountCents: i.amount_cents })),
    });
    // A stated total (items plus their taxes) that disagrees with ours rolls the note back.
    const stated = body.credit_amount_cents ?? body.refund_amount_cents;
    if (stated !== undefined && stated !== issued.totalCents) throw validationError({ base: ["does_not_match_item_amounts"] });
    return issued;
  });
  // A refund goes back to the card that paid the invoice; Lago's refund_status says how that went (the refunds it recorded).
  if (kind === "refund") await refundCreditNoteToCard(db(), note.id);
  const [shown] = await withRefundStatus(db(), [note]);
  return json({ credit_note: serializeCreditNote({ ...shown, invoice }) });
});

export const GET = serviceRoute(async ({ url, service }) => {
  const page = pageRequest(url);
  const where = { invoice: { serviceId: service.id } };
  const [total, notes] = await Promise.all([
    db().creditNote.count({ where }),
    db().creditNote.findMany({ where, include: { invoice: true }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return json({ credit_notes: (await withRefundStatus(db(), notes)).map((n) => serializeCreditNote(n)), meta: paginationMeta(page, total) });
});

export { methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
