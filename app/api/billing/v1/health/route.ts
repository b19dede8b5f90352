import { methodNotAllowed } from "@/lib/api/route";
import { cachedDatabaseHealth, poolUsage } from "@/lib/db/health";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

/** Liveness and database reachability from a check at most a second old; no API key, no request-pool connection. */
export async function GET() {
  const { healthy, checkedAt } = await cachedDatabaseHealth();
  const body = {
    status: healthy ? "ok" : "unavailable",
    version: APP_VERSION,
    database: healthy ? "ok" : "unreachable",
    checked_at: new Date(checkedAt).toISOString(),
    pool: poolUsage(),
  };
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (!healthy) headers["Retry-After"] = "1";
  return Response.json(body, { status: healthy ? 200 : 503, headers });
}

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
