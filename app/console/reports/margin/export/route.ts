import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { csvResponse } from "@/lib/reports/csv";
import { marginCsv, marginReport } from "@/lib/reports/margin";
import { monthParams, optionalUuid } from "@/lib/reports/report-params";

export const dynamic = "force-dynamic";

/** The margin report of ?from=&to= (months), one row per month, service and customer. */
export const GET = staffRoute("viewer", async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { from, to } = monthParams(params, 3);
  const report = await marginReport(db(), from, to, { serviceId: optionalUuid(params, "service"), customerId: optionalUuid(params, "customer") });
  return csvResponse(marginCsv(report), `margin-${from}-${to}.csv`);
});
