import type { Db } from "@/lib/db/prisma";
import type { ActorType, Prisma } from "@/lib/generated/prisma/client";

/** Who did something: a staff member (by staff user id), a service (by service id), a customer or the system. */
export interface AuditActor {
  type: ActorType;
  id: string | null;
}

export const staffActor = (staffId: string): AuditActor => ({ type: "staff", id: staffId });

/** Appends one entry to the audit log, inside the caller's transaction so it commits or rolls back with the change. */
export async function recordAudit(
  client: Db | Prisma.TransactionClient,
  actor: AuditActor,
  entry: { action: string; entityType: string; entityId: string; data?: Prisma.InputJsonValue },
): Promise<void> {
  await client.auditLog.create({
    data: { actorType: actor.type, actorId: actor.id, action: entry.action, entityType: entry.entityType, entityId: entry.entityId, data: entry.data ?? {} },
  });
}
