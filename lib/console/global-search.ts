/** The console header's search: customers by name, e-mail or a service's account id; invoices by number. */
import type { Db } from "@/lib/db/prisma";

export interface SearchHits {
  customers: { id: string; legalName: string; email: string | null; accounts: string[] }[];
  invoices: { id: string; number: string; customer: string; status: string; totalCents: bigint; currency: string }[];
}

const LIMIT = 20;

export async function searchConsole(client: Db, text: string): Promise<SearchHits> {
  const q = text.trim().slice(0, 200);
  if (q.length < 2) return { customers: [], invoices: [] };
  const contains = { contains: q, mode: "insensitive" as const };
  const [customers, invoices] = await Promise.all([
    client.customer.findMany({
      where: {
        deletedAt: null,
        OR: [{ legalName: contains }, { displayName: contains }, { email: contains }, { accountLinks: { some: { deletedAt: null, externalId: contains } } }],
      },
      select: { id: true, legalName: true, email: true, accountLinks: { where: { deletedAt: null }, select: { externalId: true, service: { select: { code: true } } } } },
      orderBy: [{ legalName: "asc" }, { id: "asc" }],
      take: LIMIT,
    }),
    client.invoice.findMany({
      where: { number: contains },
      select: { id: true, number: true, status: true, totalCents: true, currency: true, customer: { select: { legalName: true } } },
      orderBy: [{ number: "desc" }],
      take: LIMIT,
    }),
  ]);
  return {
    customers: customers.map((c) => ({ id: c.id, legalName: c.legalName, email: c.email, accounts: c.accountLinks.map((l) => `${l.service.code}: ${l.externalId}`) })),
    invoices: invoices.map((i) => ({ id: i.id, number: i.number!, customer: i.customer.legalName, status: i.status, totalCents: i.totalCents, currency: i.currency })),
  };
}
