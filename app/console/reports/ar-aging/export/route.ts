import { currentStaff } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { arAging, arAgingCsv } from "@/lib/reports/ar-aging";
import { csvResponse } from "@/lib/reports/csv";
import { asOfParam, optionalUuid } from "@/lib/reports/report-params";

export const dynamic = "force-dynamic";

/** The receivables of ?as_of= (optionally one customer or service), one invoice a row, as CSV (staff only). */
export async function GET(request: Request): Promise<Response> {
  if (!(await currentStaff())) return Response.json({ error: "unauthorized", message: "Sign in as staff to export." }, { status: 401 });
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const asOf = asOfParam(params);
  try {
    const report = await arAging(db(), asOf, { customerId: optionalUuid(params, "customer"), serviceId: optionalUuid(params, "service") });
    return csvResponse(arAgingCsv(report), `ar-aging-${asOf}.csv`);
  } catch (error) {
    if (error instanceof DomainError) return Response.json({ error: error.code, message: error.message, details: error.details }, { status: 422 });
    throw error;
  }
}
