import type { Db } from "@/lib/db/prisma";
import type { InvoiceStatus, Prisma } from "@/lib/generated/prisma/client";
import { pageWindow, type TableQuery } from "./table-query";
import { containsInsensitive } from "@/lib/db/text-match";

export const INVOICE_SORTS = ["createdAt", "periodStart", "totalCents", "status", "number"] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];
export const INVOICE_STATUSES = ["draft", "finalized", "paid", "voided"] as const;

export interface InvoiceRow {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  shadow: boolean;
  service: string;
  customer: string;
  periodStart: string;
  periodEnd: string;
  totalCents: string;
  currency: string;
  timezone: string;
}

export async function listInvoices(client: Db, query: TableQuery<InvoiceSort>, status: InvoiceStatus | null) {
  const text = query.filter;
  const where: Prisma.InvoiceWhereInput = {
    ...(status ? { status } : {}),
    ...(text
      ? { OR: [{ number: containsInsensitive(text) }, { customer: { legalName: containsInsensitive(text) } }, { service: { name: containsInsensitive(text) } }] }
      : {}),
  };
  const total = await client.invoice.count({ where });
  const window = pageWindow(query, total);
  const invoices = await client.invoice.findMany({
    where,
    include: { customer: { select: { legalName: true, timezone: true } }, service: { select: { name: true } } },
    orderBy: [query.sort === "number" ? { number: { sort: query.desc ? "desc" : "asc", nulls: "last" } } : { [query.sort]: query.desc ? "desc" : "asc" }, { id: "asc" }],
    skip: window.skip,
    take: window.take,
  });
  const rows: InvoiceRow[] = invoices.map((i) => ({
    id: i.id,
    number: i.number,
    status: i.status,
    shadow: i.shadow,
    service: i.service.name,
    customer: i.customer.legalName,
    periodStart: i.periodStart.toISOString(),
    periodEnd: new Date(i.periodEnd.getTime() - 1).toISOString(),
    totalCents: i.totalCents.toString(),
    currency: i.currency,
    timezone: i.customer.timezone,
  }));
  return { rows, total, page: window.page, pageCount: window.pageCount };
}
