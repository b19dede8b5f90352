import { timingSafeEqual } from "node:crypto";
import { metrics } from "@/lib/observability/metrics";

export const dynamic = "force-dynamic";

function tokenMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus scrape endpoint of this process. Requires `Authorization: Bearer $METRICS_TOKEN`; without a configured
 * token it answers 404, so metrics are never exposed by accident.
 */
export async function GET(request: Request) {
  const expected = process.env.METRICS_TOKEN;
  if (!expected) return Response.json({ status: 404, error: "Not Found", code: "metrics_disabled" }, { status: 404 });
  const [scheme, token] = request.headers.get("authorization")?.trim().split(/\s+/) ?? [];
  if (scheme?.toLowerCase() !== "bearer" || !token || !tokenMatches(token, expected)) {
    return Response.json({ status: 401, error: "Unauthorized", code: "invalid_metrics_token" }, { status: 401, headers: { "WWW-Authenticate": "Bearer" } });
  }
  const registry = metrics().registry;
  return new Response(await registry.metrics(), { headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" } });
}
