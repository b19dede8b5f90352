import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { INVOICE_SORTS, INVOICE_STATUSES, listInvoices } from "@/lib/console/invoices";
import type { InvoiceStatus } from "@/lib/generated/prisma/client";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "invoices", (params) => {
    const query = parseTableQuery(params, "i_", { sortable: INVOICE_SORTS, defaultSort: "createdAt", defaultDesc: true });
    const status = (INVOICE_STATUSES as readonly string[]).includes(String(params.status ?? "")) ? (params.status as InvoiceStatus) : null;
    return allRows((window) => listInvoices(db(), { ...query, ...window }, status));
  });
}
