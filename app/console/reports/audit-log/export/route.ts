import { auditFilterParams, auditLogCsv } from "@/lib/audit/audit-query";
import { db } from "@/lib/db/prisma";
import { staffRoute } from "@/lib/console/staff-route";
import { csvResponse } from "@/lib/reports/csv";

export const dynamic = "force-dynamic";

/** Every audit entry the viewer's filters match, newest first, as CSV (finance and administrators). */
export const GET = staffRoute("finance", async (request) => {
  const csv = await auditLogCsv(db(), auditFilterParams(Object.fromEntries(new URL(request.url).searchParams)));
  return csvResponse(csv, `audit-log-${new Date().toISOString().slice(0, 10)}.csv`);
});
