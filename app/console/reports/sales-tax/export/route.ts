import { currentStaff } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { csvResponse } from "@/lib/reports/csv";
import { periodParams } from "@/lib/reports/report-params";
import { salesTaxCsv, salesTaxReport } from "@/lib/reports/sales-tax";

export const dynamic = "force-dynamic";

/** The sales tax report of ?from=&to= as CSV (staff only). */
export async function GET(request: Request): Promise<Response> {
  if (!(await currentStaff())) return Response.json({ error: "unauthorized", message: "Sign in as staff to export." }, { status: 401 });
  const { from, to } = periodParams(Object.fromEntries(new URL(request.url).searchParams));
  try {
    return csvResponse(salesTaxCsv(await salesTaxReport(db(), from, to)), `sales-tax-${from}-to-${to}.csv`);
  } catch (error) {
    if (error instanceof DomainError) return Response.json({ error: error.code, message: error.message, details: error.details }, { status: 422 });
    throw error;
  }
}
