import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { InvoiceStatus, Prisma } from "@/lib/generated/prisma/client";
import { invoiceCouponsInclude } from "@/lib/api/serializers/invoice";
import { withRefundStatus } from "@/lib/payments/credit-note-refunds";

/** A canonical UUID (8-4-4-4-12 hex digits): anything else can name no row and never reaches a uuid column. */
export const isUuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** A service's invoice by id; another service's invoice is not found (404), never forbidden. */
export async function getServiceInvoice(client: Db, serviceId: string, invoiceId: string) {
  if (!isUuid(invoiceId)) throw new DomainError("not_found", "invoice_not_found");
  const invoice = await client.invoice.findFirst({
    where: { id: invoiceId, serviceId },
    include: { customer: true, lines: { orderBy: { position: "asc" } }, taxes: { orderBy: { code: "asc" } }, coupons: invoiceCouponsInclude },
  });
  if (!invoice) throw new DomainError("not_found", "invoice_not_found");
  return invoice;
}

export async function listServiceInvoices(
  client: Db,
  serviceId: string,
  query: { skip: number; take: number; customerId?: string | null; statuses: InvoiceStatus[]; issuingFrom?: Date; issuingTo?: Date },
) {
  const where: Prisma.InvoiceWhereInput = {
    serviceId,
    ...(query.customerId !== undefined ? { customerId: query.customerId ?? "00000000-0000-0000-0000-000000000000" } : {}),
    ...(query.statuses.length ? { status: { in: query.statuses } } : {}),
    ...(query.issuingFrom || query.issuingTo ? { issuingDate: { ...(query.issuingFrom ? { gte: query.issuingFrom } : {}), ...(query.issuingTo ? { lte: query.issuingTo } : {}) } } : {}),
  };
  const [total, items] = await Promise.all([
    client.invoice.count({ where }),
    client.invoice.findMany({ where, include: { customer: true, taxes: true }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: query.skip, take: query.take }),
  ]);
  return { total, items };
}

/** A credit note on one of the service's invoices, with the invoice and its refund status; any other is not found (404). */
export async function getServiceCreditNote(client: Db, serviceId: string, creditNoteId: string) {
  const note = isUuid(creditNoteId)
    ? await client.creditNote.findFirst({ where: { id: creditNoteId, invoice: { serviceId } }, include: { invoice: true } })
    : null;
  if (!note) throw new DomainError("not_found", "credit_note_not_found");
  const [shown] = await withRefundStatus(client, [note]);
  return shown;
}
