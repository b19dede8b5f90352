import { methodNotAllowed } from "@/lib/api/route";
import { databaseIsHealthy } from "@/lib/db/health";
import { db } from "@/lib/db/prisma";
import { APP_VERSION } from "@/lib/version";

export const dynamic = "force-dynamic";

export async function GET() {
  const healthy = await databaseIsHealthy(db());
  return Response.json(
    healthy
      ? { status: "ok", version: APP_VERSION, database: "ok" }
      : { status: "unavailable", version: APP_VERSION, database: "unreachable" },
    { status: healthy ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}

export { methodNotAllowed as POST, methodNotAllowed as PUT, methodNotAllowed as PATCH, methodNotAllowed as DELETE };
