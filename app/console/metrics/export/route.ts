import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { METRIC_SORTS, listMetricRows } from "@/lib/console/catalog-directory";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "metrics", (params) => {
    const query = parseTableQuery(params, "m_", { sortable: METRIC_SORTS, defaultSort: "name" });

    return allRows((window) => listMetricRows(db(), { ...query, ...window }));
  });
}
