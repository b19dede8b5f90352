import type { Adapter, AdapterUser } from "next-auth/adapters";
import type { Db } from "@/lib/db/prisma";
import { sendCustomerEmail } from "@/lib/mail/customer-email";

/**
 * Customer sign-in by e-mailed link (next-auth's e-mail provider). next-auth needs an adapter for its one-time tokens
 * and to look the user up by address; this one stores the (hashed) tokens in VerificationToken and resolves the
 * address to a billing customer. It never creates anyone: an address no customer has gets no e-mail at all (the
 * page says "check your e-mail" either way, so addresses cannot be probed).
 */
export const PORTAL_LINK_MAX_AGE_SECONDS = 15 * 60;

type CustomerUser = AdapterUser & { role: "customer"; name: string };

/**
 * The billing accounts an address opens: live customers with it that a live service bills (addresses are not unique;
 * customers known only to services in dual-run are not ours to contact yet). Newest first.
 */
export async function customersForEmail(client: Db, email: string) {
  return client.customer.findMany({
    where: {
      email: { equals: email.trim(), mode: "insensitive" },
      deletedAt: null,
      accountLinks: { some: { deletedAt: null, service: { mode: "live" } } },
    },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: 20,
  });
}

/** The account an address signs in as first: the newest; the portal offers the others (see portalAccountSwitch). */
export async function customerForEmail(client: Db, email: string) {
  return (await customersForEmail(client, email))[0] ?? null;
}

/** The account to switch a session to, when the session's verified address is that account's; null otherwise. */
export async function portalAccountSwitch(client: Db, verifiedEmail: string, customerId: unknown) {
  if (typeof customerId !== "string") return null;
  const accounts = await customersForEmail(client, verifiedEmail);
  const target = accounts.find((c) => c.id === customerId);
  return target ? { id: target.id, name: target.displayName ?? target.legalName } : null;
}

const asUser = (customer: { id: string; email: string | null; displayName: string | null; legalName: string }): CustomerUser => ({
  id: customer.id,
  email: customer.email ?? "",
  emailVerified: null,
  name: customer.displayName ?? customer.legalName,
  role: "customer",
});

export function portalEmailAdapter(client: () => Db): Adapter {
  return {
    async createVerificationToken(token) {
      await client().verificationToken.create({ data: token });
      return token;
    },
    async useVerificationToken({ identifier, token }) {
      // Single use: deleting returns the row only to the first caller.
      const rows = await client().$queryRaw<{ identifier: string; token: string; expires: Date }[]>`
        DELETE FROM "VerificationToken" WHERE identifier = ${identifier} AND token = ${token} RETURNING identifier, token, expires`;
      return rows[0] ?? null;
    },
    async getUserByEmail(email) {
      const customer = await customerForEmail(client(), email);
      return customer ? asUser(customer) : null;
    },
    async getUser(id) {
      const customer = await client().customer.findFirst({ where: { id, deletedAt: null } });
      return customer ? asUser(customer) : null;
    },
    async updateUser(user) {
      const customer = await client().customer.findUniqueOrThrow({ where: { id: user.id } });
      return asUser(customer);
    },
    async createUser() {
      throw new Error("The customer portal does not create accounts");
    },
  } as Adapter;
}

/** Sends the sign-in link, only to an address a customer has. */
export async function sendPortalSignInLink(client: Db, email: string, url: string): Promise<void> {
  const customer = await customerForEmail(client, email);
  if (!customer) return;
  await sendCustomerEmail(client, {
    customerId: customer.id,
    to: email,
    kind: "sign_in_link",
    subject: "Sign in to your Nexa billing portal",
    text: `Hello ${customer.displayName ?? customer.legalName},\n\nUse this link to sign in to your billing portal. It works once, for 15 minutes:\n\n${url}\n\nIf you did not ask for it, ignore this e-mail.\n\n— Nexa Billing`,
  });
}
