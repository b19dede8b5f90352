import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { containsText, fetchTablePage, orderBySort, textFilter, type TableQuery } from "./table-query";
import { containsInsensitive } from "@/lib/db/text-match";

export const SERVICE_SORTS = ["name", "code", "mode", "createdAt"] as const;
export type ServiceSort = (typeof SERVICE_SORTS)[number];

export interface ServiceRow {
  id: string;
  code: string;
  name: string;
  mode: "shadow" | "live";
  activeKeys: number;
  linkedAccounts: number;
  createdAt: string;
}

export async function listServices(client: Db, query: TableQuery<ServiceSort>) {
  const where: Prisma.ServiceWhereInput = textFilter(query.filter, ["name", "code"]);
  return fetchTablePage(query, () => client.service.count({ where }), async (window) => {
    const services = await client.service.findMany({
      where,
      orderBy: orderBySort(query),
      ...window,
      include: { _count: { select: { accountLinks: true, apiKeys: { where: { revokedAt: null } } } } },
    });
    return services.map((s): ServiceRow => ({
      id: s.id,
      code: s.code,
      name: s.name,
      mode: s.mode,
      activeKeys: s._count.apiKeys,
      linkedAccounts: s._count.accountLinks,
      createdAt: s.createdAt.toISOString(),
    }));
  });
}

export const CUSTOMER_SORTS = ["legalName", "email", "province", "country", "currency", "createdAt"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
const NULLABLE_CUSTOMER_SORTS = new Set<CustomerSort>(["email", "province"]);

export interface CustomerRow {
  id: string;
  legalName: string;
  email: string | null;
  province: string | null;
  country: string;
  currency: string;
  services: string[];
  createdAt: string;
}

export async function listCustomers(client: Db, query: TableQuery<CustomerSort>) {
  const text = query.filter;
  const where: Prisma.CustomerWhereInput = {
    deletedAt: null,
    ...(text
      ? {
          OR: [
            ...containsText(text, ["legalName", "displayName", "email"]),
            { accountLinks: { some: { externalId: containsInsensitive(text) } } },
          ],
        }
      : {}),
  };
  return fetchTablePage(query, () => client.customer.count({ where }), async (window) => {
    const customers = await client.customer.findMany({
      where,
      orderBy: orderBySort(query, NULLABLE_CUSTOMER_SORTS),
      ...window,
      include: { accountLinks: { where: { deletedAt: null }, include: { service: { select: { code: true } } } } },
    });
    return customers.map((c): CustomerRow => ({
      id: c.id,
      legalName: c.legalName,
      email: c.email,
      province: c.province,
      country: c.country,
      currency: c.currency,
      services: [...new Set(c.accountLinks.map((l) => l.service.code))].sort(),
      createdAt: c.createdAt.toISOString(),
    }));
  });
}

export const API_KEY_SORTS = ["createdAt", "name", "prefix", "lastUsedAt"] as const;
export type ApiKeySort = (typeof API_KEY_SORTS)[number];

/** A key as the console lists it: never the key itself, which is shown once when created. */
export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export async function listApiKeys(client: Db, serviceId: string, query: TableQuery<ApiKeySort>) {
  const where: Prisma.ApiKeyWhereInput = { serviceId, ...textFilter(query.filter, ["name", "prefix"]) };
  return fetchTablePage(query, () => client.apiKey.count({ where }), async (window) => {
    const keys = await client.apiKey.findMany({
      where,
      orderBy: orderBySort(query, new Set(["lastUsedAt"])),
      ...window,
      select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
    });
    return keys.map((k): ApiKeyRow => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      createdAt: k.createdAt.toISOString(),
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    }));
  });
}
