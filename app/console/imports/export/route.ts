import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { IMPORT_RUN_SORTS, listImportRuns } from "@/lib/console/nexacloud";
import { IMPORT_KIND } from "@/lib/nexacloud/importer";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "imports", (params) => {
    const query = parseTableQuery(params, "r_", { sortable: IMPORT_RUN_SORTS, defaultSort: "startedAt", defaultDesc: true });

    return allRows((window) => listImportRuns(db(), IMPORT_KIND, { ...query, ...window }));
  });
}
