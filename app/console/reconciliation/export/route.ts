import { currentStaff } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { csvResponse } from "@/lib/console/csv";
import { reconciliationCsv } from "@/lib/console/nexacloud";
import type { SearchParams } from "@/lib/console/table-query";
import { loadSourceSettings } from "@/lib/nexacloud/source-settings";
import { reconciliationFilters, reconciliationQuery } from "../filters";

export const dynamic = "force-dynamic";

/** CSV of the reconciliation rows matching the page's filters and text filter, in the page's order (staff only). */
export async function GET(request: Request): Promise<Response> {
  const staff = await currentStaff();
  if (!staff) return Response.json({ error: "unauthorized", message: "Sign in as staff to export." }, { status: 401 });
  const settings = await loadSourceSettings(db());
  if (!settings.service) return Response.json({ error: "not_configured", message: "No NexaCloud service is configured." }, { status: 404 });
  const params: SearchParams = Object.fromEntries(new URL(request.url).searchParams);
  const query = reconciliationQuery(params);
  const filters = reconciliationFilters(params, settings.service.id, query.filter);
  const csv = await reconciliationCsv(db(), filters, query);
  return csvResponse(csv, `reconciliation-${settings.service.code}${filters.period ? `-${filters.period}` : ""}${filters.status ? `-${filters.status}` : ""}.csv`);
}
