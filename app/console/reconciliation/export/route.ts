import { currentStaff } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { reconciliationCsv } from "@/lib/console/nexacloud";
import type { SearchParams } from "@/lib/console/table-query";
import { loadSourceSettings } from "@/lib/nexacloud/source-settings";
import { reconciliationFilters } from "../filters";

export const dynamic = "force-dynamic";

/** CSV of the reconciliation rows matching the page's filters (staff only). */
export async function GET(request: Request): Promise<Response> {
  const staff = await currentStaff();
  if (!staff) return Response.json({ error: "unauthorized", message: "Sign in as staff to export." }, { status: 401 });
  const settings = await loadSourceSettings(db());
  if (!settings.service) return Response.json({ error: "not_configured", message: "No NexaCloud service is configured." }, { status: 404 });
  const params: SearchParams = Object.fromEntries(new URL(request.url).searchParams);
  const filters = reconciliationFilters(params, settings.service.id);
  const csv = await reconciliationCsv(db(), filters);
  const name = `reconciliation-${settings.service.code}${filters.period ? `-${filters.period}` : ""}${filters.status ? `-${filters.status}` : ""}.csv`;
  return new Response(csv, { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${name}"`, "Cache-Control": "no-store" } });
}
