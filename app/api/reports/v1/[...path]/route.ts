import { db } from "@/lib/db/prisma";
import { ApiError } from "@/lib/api/errors";
import { methodNotAllowed } from "@/lib/api/route";
import { reportBody, reportingRoute } from "@/lib/api/reporting-route";
import { arAging } from "@/lib/reports/ar-aging";
import { dashboard } from "@/lib/reports/dashboard";
import { marginReport } from "@/lib/reports/margin";
import { asOfParam, booksToday, monthParams, optionalUuid, periodParams } from "@/lib/reports/report-params";
import { revenueReport } from "@/lib/reports/revenue";
import { salesTaxReport } from "@/lib/reports/sales-tax";

export const dynamic = "force-dynamic";

type Params = Record<string, string>;

/** Each report of the console, computed by the same lib/reports function with the same parameters. */
const REPORTS: Record<string, (params: Params) => Promise<[string, unknown]>> = {
  dashboard: async () => ["dashboard", await dashboard(db(), booksToday())],
  sales_tax: async (p) => {
    const { from, to } = periodParams(p);
    return ["sales_tax", await salesTaxReport(db(), from, to)];
  },
  ar_aging: async (p) => ["ar_aging", await arAging(db(), asOfParam(p), { customerId: uuidParam(p, "customer"), serviceId: uuidParam(p, "service") })],
  revenue: async (p) => {
    const { from, to } = monthParams(p, 12);
    return ["revenue", await revenueReport(db(), from, to, { serviceId: uuidParam(p, "service") })];
  },
  margin: async (p) => {
    const { from, to } = monthParams(p, 3);
    return ["margin", await marginReport(db(), from, to, { serviceId: uuidParam(p, "service"), customerId: uuidParam(p, "customer") })];
  },
};

/** A filter that is present must be a uuid: silently reading every customer's figures instead would mislead. */
function uuidParam(params: Params, name: string): string | undefined {
  if (params[name] === undefined) return undefined;
  const value = optionalUuid(params, name);
  if (!value) throw new ApiError(422, "validation_errors", { [name]: ["value_is_invalid"] }, `${name} must be an id (uuid)`);
  return value;
}

/** GET /api/reports/v1/<report>; any deeper path is 404 resource_not_found (after authentication, like the billing API). */
export const GET = reportingRoute<{ path: string[] }>(async ({ url, params }) => {
  if (params.path.length !== 1) throw new ApiError(404, "resource_not_found");
  const [name] = params.path;
  const compute = Object.hasOwn(REPORTS, name) ? REPORTS[name] : undefined;
  if (!compute) throw new ApiError(404, "report_not_found", undefined, `No report named ${name}: dashboard, sales_tax, ar_aging, revenue or margin`);
  const [root, report] = await compute(Object.fromEntries(url.searchParams));
  return Response.json({ [root]: reportBody(report) }, { headers: { "Cache-Control": "no-store" } });
});

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
