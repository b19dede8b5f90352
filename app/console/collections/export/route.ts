import { db } from "@/lib/db/prisma";
import { allRows, exportList } from "@/lib/console/list-export";
import { parseTableQuery } from "@/lib/console/table-query";
import { DUNNING_SORTS, DUNNING_STATUSES, listDunningProcesses } from "@/lib/console/collections";
import type { DunningStatus } from "@/lib/generated/prisma/client";

export const dynamic = "force-dynamic";

/** CSV of every row the list's filters match, in the list's order (staff only). */
export function GET(request: Request): Promise<Response> {
  return exportList(request, "collections", (params) => {
    const query = parseTableQuery(params, "d_", { sortable: DUNNING_SORTS, defaultSort: "startedAt", defaultDesc: true });
    const status = (DUNNING_STATUSES as readonly string[]).includes(String(params.status ?? "")) ? (params.status as DunningStatus) : null;
    return allRows((window) => listDunningProcesses(db(), { ...query, ...window }, status));
  });
}
