import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { csvResponse } from "@/lib/reports/csv";
import { journal, journalCsv } from "@/lib/reports/journal";
import { periodParams } from "@/lib/reports/report-params";

export const dynamic = "force-dynamic";

/** The journal of ?from=&to= grouped by ?grouping=day|month, in ?format=quickbooks|xero (what the page shows). */
export const GET = staffRoute("viewer", async (request) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { from, to } = periodParams(params);
  const grouping = params.grouping === "month" ? "month" : "day";
  const format = params.format === "xero" ? "xero" : "quickbooks";
  return csvResponse(journalCsv(await journal(db(), from, to, grouping), format), `journal-${format}-${from}-to-${to}.csv`);
});
