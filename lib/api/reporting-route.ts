import { db } from "@/lib/db/prisma";
import { observed } from "@/lib/observability/request-log";
import { identifyReportingCredential } from "@/lib/reports/reporting-tokens";
import { ApiError, handleApiErrors } from "./errors";
import { admitApiRequest, apiQuotaRefusal, tooManyRequests } from "./route";

/**
 * Wraps a route handler of the read-only reporting API (/api/reports/v1): a reporting token is required; a service API
 * key is refused with 403 `reporting_token_required` (a service must never read other services' figures); admitted and
 * with errors Lago-shaped like the billing API's.
 */
export function reportingRoute<P extends object>(handler: (ctx: { request: Request; url: URL; params: P }) => Promise<Response>) {
  return (request: Request, context: { params: Promise<P> }) =>
    observed(request, () => handleApiErrors(async () => {
      const { url, params } = await admitApiRequest(request, context);
      const credential = await identifyReportingCredential(db(), request.headers.get("authorization"));
      if (credential.kind === "missing") throw new ApiError(401, "missing_reporting_token", undefined, "Authorization: Bearer <reporting token> is required");
      if (credential.kind === "service_key") throw new ApiError(403, "reporting_token_required", undefined, "Service API keys cannot read reports: use a reporting token (Settings → Reporting tokens)");
      if (credential.kind === "invalid") throw new ApiError(401, "invalid_reporting_token", undefined, "The reporting token is invalid or has been revoked");
      const refusal = apiQuotaRefusal(`reporting-token:${credential.tokenId}`, request.headers);
      if (refusal) return tooManyRequests(refusal);
      return handler({ request, url, params });
    }));
}

const snake = (key: string) => (/^[a-z][A-Za-z0-9]*$/.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key);
/** Keys whose values are data (cost types), not field names. */
const VERBATIM = new Set(["costsByType"]);

/** A report object in the API's shape: snake_case keys, amounts in cents as integers, dates as ISO strings. */
export function reportBody(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reportBody);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [snake(k), VERBATIM.has(k) ? Object.fromEntries(Object.entries(v as object).map(([t, c]) => [t, reportBody(c)])) : reportBody(v)]));
  }
  return value;
}
