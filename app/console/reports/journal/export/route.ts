import { currentStaff } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { csvResponse } from "@/lib/reports/csv";
import { journal, journalCsv } from "@/lib/reports/journal";
import { periodParams } from "@/lib/reports/report-params";

export const dynamic = "force-dynamic";

/** The journal of ?from=&to= grouped by ?grouping=day|month, in ?format=quickbooks|xero (staff only). */
export async function GET(request: Request): Promise<Response> {
  if (!(await currentStaff())) return Response.json({ error: "unauthorized", message: "Sign in as staff to export." }, { status: 401 });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { from, to } = periodParams(params);
  const grouping = params.grouping === "month" ? "month" : "day";
  const format = params.format === "xero" ? "xero" : "quickbooks";
  try {
    return csvResponse(journalCsv(await journal(db(), from, to, grouping), format), `journal-${format}-${from}-to-${to}.csv`);
  } catch (error) {
    if (error instanceof DomainError) return Response.json({ error: error.code, message: error.message, details: error.details }, { status: 422 });
    throw error;
  }
}
