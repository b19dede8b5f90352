import type { Db } from "@/lib/db/prisma";
import { entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import type { AddOn, Prisma } from "@/lib/generated/prisma/client";

/**
 * Add-ons (Lago's `add_ons`): one-off items a service sells (a setup fee, an hour of support), billed on one-off
 * invoices (lib/invoicing/one-off-invoices.ts). Each belongs to one service; codes are unique per service.
 */
export interface AddOnInput {
  code: string;
  name: string;
  description?: string | null;
  invoiceDisplayName?: string | null;
  amountCents: bigint;
  currency?: string;
}

type Client = Db | Prisma.TransactionClient;

export async function findAddOn(client: Client, serviceId: string, code: string): Promise<AddOn | null> {
  return client.addOn.findFirst({ where: { serviceId, code, deletedAt: null } });
}

export async function getAddOn(client: Client, serviceId: string, code: string): Promise<AddOn> {
  const addOn = await findAddOn(client, serviceId, code);
  if (!addOn) throw entityNotFound("add_on");
  return addOn;
}

function uniqueCode<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((error) => {
    if (isUniqueViolation(error)) throw invalidField("code", "value_already_exist");
    throw error;
  });
}

export function createAddOn(client: Db, serviceId: string, input: AddOnInput): Promise<AddOn> {
  return uniqueCode(() =>
    client.addOn.create({
      data: {
        serviceId, code: input.code, name: input.name, description: input.description ?? null,
        invoiceDisplayName: input.invoiceDisplayName ?? null, amountCents: input.amountCents, currency: input.currency ?? "CAD",
      },
    }),
  );
}

export function updateAddOn(client: Db, serviceId: string, code: string, input: Partial<AddOnInput>): Promise<AddOn> {
  return uniqueCode(async () => {
    const addOn = await getAddOn(client, serviceId, code);
    return client.addOn.update({
      where: { id: addOn.id },
      data: {
        ...(input.code !== undefined ? { code: input.code } : {}),
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.invoiceDisplayName !== undefined ? { invoiceDisplayName: input.invoiceDisplayName } : {}),
        ...(input.amountCents !== undefined ? { amountCents: input.amountCents } : {}),
        ...(input.currency !== undefined ? { currency: input.currency } : {}),
      },
    });
  });
}

/** Soft delete: invoices that billed it keep their lines. */
export async function deleteAddOn(client: Db, serviceId: string, code: string, now = new Date()): Promise<AddOn> {
  const addOn = await getAddOn(client, serviceId, code);
  return client.addOn.update({ where: { id: addOn.id }, data: { deletedAt: now } });
}

export async function listAddOns(client: Db, serviceId: string, page: { skip: number; take: number }) {
  const where = { serviceId, deletedAt: null };
  const [total, items] = await Promise.all([
    client.addOn.count({ where }),
    client.addOn.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: page.skip, take: page.take }),
  ]);
  return { total, items };
}
