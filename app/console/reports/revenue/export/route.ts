import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { csvResponse } from "@/lib/reports/csv";
import { monthParams, optionalUuid } from "@/lib/reports/report-params";
import { mrrCsv, revenueCsv, revenueReport } from "@/lib/reports/revenue";

export const dynamic = "force-dynamic";

/** The revenue report of ?from=&to= (months), one row per month, service and plan — or with ?table=mrr its MRR movements. */
export const GET = staffRoute("viewer", async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { from, to } = monthParams(params, 12);
  const report = await revenueReport(db(), from, to, { serviceId: optionalUuid(params, "service") });
  return params.table === "mrr" ? csvResponse(mrrCsv(report), `mrr-${from}-${to}.csv`) : csvResponse(revenueCsv(report), `revenue-${from}-${to}.csv`);
});
