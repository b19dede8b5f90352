import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { pageWindow, type TableQuery } from "./table-query";

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
  const where: Prisma.ServiceWhereInput = query.filter
    ? { OR: [{ name: { contains: query.filter, mode: "insensitive" } }, { code: { contains: query.filter, mode: "insensitive" } }] }
    : {};
  const total = await client.service.count({ where });
  const window = pageWindow(query, total);
  const services = await client.service.findMany({
    where,
    orderBy: [{ [query.sort]: query.desc ? "desc" : "asc" }, { id: "asc" }],
    skip: window.skip,
    take: window.take,
    include: { _count: { select: { accountLinks: true, apiKeys: { where: { revokedAt: null } } } } },
  });
  const rows: ServiceRow[] = services.map((s) => ({
    id: s.id,
    code: s.code,
    name: s.name,
    mode: s.mode,
    activeKeys: s._count.apiKeys,
    linkedAccounts: s._count.accountLinks,
    createdAt: s.createdAt.toISOString(),
  }));
  return { rows, total, page: window.page, pageCount: window.pageCount };
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
            { legalName: { contains: text, mode: "insensitive" } },
            { displayName: { contains: text, mode: "insensitive" } },
            { email: { contains: text, mode: "insensitive" } },
            { accountLinks: { some: { externalId: { contains: text, mode: "insensitive" } } } },
          ],
        }
      : {}),
  };
  const total = await client.customer.count({ where });
  const window = pageWindow(query, total);
  const customers = await client.customer.findMany({
    where,
    orderBy: [
      NULLABLE_CUSTOMER_SORTS.has(query.sort)
        ? { [query.sort]: { sort: query.desc ? "desc" : "asc", nulls: "last" } }
        : { [query.sort]: query.desc ? "desc" : "asc" },
      { id: "asc" },
    ],
    skip: window.skip,
    take: window.take,
    include: { accountLinks: { where: { deletedAt: null }, include: { service: { select: { code: true } } } } },
  });
  const rows: CustomerRow[] = customers.map((c) => ({
    id: c.id,
    legalName: c.legalName,
    email: c.email,
    province: c.province,
    country: c.country,
    currency: c.currency,
    services: [...new Set(c.accountLinks.map((l) => l.service.code))].sort(),
    createdAt: c.createdAt.toISOString(),
  }));
  return { rows, total, page: window.page, pageCount: window.pageCount };
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
  const text = query.filter;
  const where: Prisma.ApiKeyWhereInput = {
    serviceId,
    ...(text ? { OR: [{ name: { contains: text, mode: "insensitive" } }, { prefix: { contains: text, mode: "insensitive" } }] } : {}),
  };
  const total = await client.apiKey.count({ where });
  const window = pageWindow(query, total);
  const keys = await client.apiKey.findMany({
    where,
    orderBy: [
      query.sort === "lastUsedAt" ? { lastUsedAt: { sort: query.desc ? "desc" : "asc", nulls: "last" } } : { [query.sort]: query.desc ? "desc" : "asc" },
      { id: "asc" },
    ],
    skip: window.skip,
    take: window.take,
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
  const rows: ApiKeyRow[] = keys.map((k) => ({
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  }));
  return { rows, total, page: window.page, pageCount: window.pageCount };
}
