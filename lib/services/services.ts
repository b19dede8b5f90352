import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import type { Prisma, Service, ServiceMode } from "@/lib/generated/prisma/client";
import { newWebhookSecret } from "./webhook-secrets";

export interface ServiceInput {
  code: string;
  name: string;
  mode: ServiceMode;
}

/** Registers an app that bills through Nexa Billing. It starts with a webhook signing secret and no API key. */
export async function createService(client: Db, input: ServiceInput, actor: AuditActor): Promise<Service> {
  try {
    return await client.$transaction(async (tx) => {
      const service = await tx.service.create({
        data: { code: input.code, name: input.name, mode: input.mode, webhookSigningSecret: newWebhookSecret().stored },
      });
      await recordAudit(tx, actor, { action: "service.created", entityType: "Service", entityId: service.id, data: { code: service.code, mode: service.mode } });
      return service;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  }
}

export async function findServiceByCode(client: Db | Prisma.TransactionClient, code: string): Promise<Service | null> {
  return client.service.findUnique({ where: { code } });
}

export async function getServiceByCode(client: Db | Prisma.TransactionClient, code: string): Promise<Service> {
  const service = await findServiceByCode(client, code);
  if (!service) throw entityNotFound("service");
  return service;
}
