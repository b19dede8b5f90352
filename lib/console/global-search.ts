/** The console header's search: customers by name, e-mail or a service's account id; invoices by number. */
import type { Db } from "@/lib/db/prisma";
import { containsInsensitive } from "@/lib/db/text-match";
import { invalidField } from "@/lib/errors";

export interface SearchHits {
  customers: { id: string; legalName: string; email: string | null; accounts: string[] }[];
  invoices: { id: string; number: string; customer: string; status: string; totalCents: bigint; currency: string }[];
}

const LIMIT = 20;
/** Longer than any name, e-mail, account id or invoice number the ledger holds. */
export const SEARCH_MAX_LENGTH = 200;

/**
 * Refuses what no stored text can match instead of sending it to Postgres (which rejects NUL in a string) or silently
 * searching a truncated prefix.
 */
export function searchText(text: string): string {
  if (text.includes("\u0000")) throw invalidField("q", "value_is_invalid", "The search text contains a NUL character.");
  const q = text.trim();
  if (q.length > SEARCH_MAX_LENGTH) throw invalidField("q", "value_is_too_long", `Search for at most ${SEARCH_MAX_LENGTH} characters.`);
  return q;
}

export async function searchConsole(client: Db, text: string): Promise<SearchHits> {
  const q = searchText(text);
  if (q.length < 2) return { customers: [], invoices: [] };
  const contains = containsInsensitive(q);
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
