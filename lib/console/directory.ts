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
