import { ApiError } from "@/lib/api/errors";
import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { ACCOUNTANT_EXPORTS, accountantCsv, type AccountantExport } from "@/lib/reports/accountant-exports";
import { csvResponse } from "@/lib/reports/csv";
import { periodParams } from "@/lib/reports/report-params";

export const dynamic = "force-dynamic";

/** Invoices, credit notes, payments or refunds of ?from=&to= as CSV, for the accountant (finance and administrators). */
export const GET = staffRoute("finance", async (request) => {
  const url = new URL(request.url);
  const kind = url.pathname.split("/").pop() ?? "";
  if (!(ACCOUNTANT_EXPORTS as readonly string[]).includes(kind)) throw new ApiError(404, "export_not_found", undefined, `No export named ${kind}`);
  const { from, to } = periodParams(Object.fromEntries(url.searchParams));
  return csvResponse(await accountantCsv(db(), kind as AccountantExport, from, to), `${kind}-${from}-${to}.csv`);
});
