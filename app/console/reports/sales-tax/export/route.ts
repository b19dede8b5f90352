import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { csvResponse } from "@/lib/reports/csv";
import { periodParams } from "@/lib/reports/report-params";
import { salesTaxCsv, salesTaxReport } from "@/lib/reports/sales-tax";

export const dynamic = "force-dynamic";

/** The sales tax report of ?from=&to= as CSV (what the page shows). */
export const GET = staffRoute("viewer", async (request) => {
  const { from, to } = periodParams(Object.fromEntries(new URL(request.url).searchParams));
  return csvResponse(salesTaxCsv(await salesTaxReport(db(), from, to)), `sales-tax-${from}-to-${to}.csv`);
});
