import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { PLAN_SORTS, listPlanRows } from "@/lib/console/catalog-directory";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "plans", (params) => {
    const query = parseTableQuery(params, "p_", { sortable: PLAN_SORTS, defaultSort: "name" });

    return allRows((window) => listPlanRows(db(), { ...query, ...window }));
  });
}
