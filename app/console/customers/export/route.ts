import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { CUSTOMER_SORTS, listCustomers } from "@/lib/console/directory";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "customers", (params) => {
    const query = parseTableQuery(params, "c_", { sortable: CUSTOMER_SORTS, defaultSort: "legalName" });

    return allRows((window) => listCustomers(db(), { ...query, ...window }));
  });
}
