import type { Db } from "@/lib/db/prisma";
import { recordAudit, type AuditActor } from "@/lib/audit/audit-log";
import { entityNotFound } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordCustomerEvent } from "@/lib/webhooks/lifecycle-events";
import { checkTaxExemption, guardCurrencyChange, type CustomerFields } from "./service-customers";

/** A customer as the console shows it: its own fields and the service accounts linked to it. */
export const customerDetailsInclude = {
  accountLinks: {
    where: { deletedAt: null },
    include: { service: { select: { code: true, name: true } } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  },
} satisfies Prisma.CustomerInclude;
export type CustomerDetails = Prisma.CustomerGetPayload<{ include: typeof customerDetailsInclude }>;

/** A live customer with its links; null when there is none (or it was merged into another). */
export async function findCustomerDetails(client: Db, customerId: string): Promise<CustomerDetails | null> {
  return client.customer.findFirst({ where: { id: customerId, deletedAt: null }, include: customerDetailsInclude });
}

/** Changes a customer's own fields (as staff do in the console), with the same rules as the API's upsert. */
export async function updateCustomerDetails(client: Db, customerId: string, fields: CustomerFields, actor: AuditActor): Promise<CustomerDetails> {
  return client.$transaction(async (tx) => {
    const customer = await tx.customer.findFirst({ where: { id: customerId, deletedAt: null } });
    if (!customer) throw entityNotFound("customer");
    await guardCurrencyChange(tx, customer, fields);
    checkTaxExemption({ ...customer, ...fields });
    const updated = await tx.customer.update({ where: { id: customerId }, data: fields, include: customerDetailsInclude });
    await recordAudit(tx, actor, { action: "customer.updated", entityType: "Customer", entityId: customerId, data: { fields: Object.keys(fields) } });
    await recordCustomerEvent(tx, customerId, "customer.updated");
    return updated;
  });
}
