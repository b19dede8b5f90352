import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { SERVICE_SORTS, listServices } from "@/lib/console/directory";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "services", (params) => {
    const query = parseTableQuery(params, "s_", { sortable: SERVICE_SORTS, defaultSort: "name" });

    return allRows((window) => listServices(db(), { ...query, ...window }));
  });
}
