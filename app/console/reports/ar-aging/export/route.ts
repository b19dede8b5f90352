import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { arAging, arAgingCsv } from "@/lib/reports/ar-aging";
import { csvResponse } from "@/lib/reports/csv";
import { asOfParam, optionalUuid } from "@/lib/reports/report-params";

export const dynamic = "force-dynamic";

/** The receivables of ?as_of= (optionally one customer or service), one invoice a row, as CSV (what the page shows). */
export const GET = staffRoute("viewer", async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const asOf = asOfParam(params);
  const report = await arAging(db(), asOf, { customerId: optionalUuid(params, "customer"), serviceId: optionalUuid(params, "service") });
  return csvResponse(arAgingCsv(report), `ar-aging-${asOf}.csv`);
});
