import { db } from "@/lib/db/prisma";
import { exportList } from "@/lib/console/list-export";
import { isUuid } from "@/lib/invoicing/service-invoices";
import type { ImportLogEntry } from "@/lib/nexacloud/importer";

export const dynamic = "force-dynamic";

/** The run's whole log (or one level of it) as CSV (staff only). */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  if (!isUuid(id)) return Response.json({ error: "not_found", message: "No such import run." }, { status: 404 });
  const run = await db().importRun.findUnique({ where: { id }, select: { log: true } });
  if (!run) return Response.json({ error: "not_found", message: "No such import run." }, { status: 404 });
  return exportList(request, `import-log-${id.slice(0, 8)}`, async (query) => {
    const log = (run.log as unknown as ImportLogEntry[]) ?? [];
    const level = typeof query.level === "string" ? query.level : "";
    return (level ? log.filter((e) => e.level === level) : log).map((e) => ({ level: e.level, entity: e.entity, sourceId: e.sourceId, outcome: e.outcome ?? null, message: e.message }));
  }, ["level", "entity", "sourceId", "outcome", "message"]);
}
