import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import EmailProvider from "next-auth/providers/email";
import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { verifyPortalToken } from "@/lib/portal/access-token";
import { verifyInvoicePayToken } from "@/lib/portal/invoice-pay-link";
import { clientIp } from "@/lib/security/rate-limit";
import { verifyPassword } from "./password";
import { clearStaffSignInFailures, recordStaffSignInFailure } from "./sign-in-limits";
import { PORTAL_LINK_MAX_AGE_SECONDS, portalAccountSwitch, portalEmailAdapter, sendPortalSignInLink } from "./portal-email-sign-in";

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email(),
  password: z.string().min(1).max(200),
});

/** Checks a staff e-mail and password; null when they do not match an enabled account. */
export async function authenticateStaff(email: unknown, password: unknown, ip = "unknown") {
  const parsed = credentialsSchema.safeParse({ email, password });
  if (!parsed.success) {
    if (typeof email === "string" && email) await recordStaffSignInFailure(email, ip);
    return null;
  }
  const user = await db().staffUser.findUnique({ where: { email: parsed.data.email } });
  const ok = await verifyPassword(parsed.data.password, user?.passwordHash);
  if (!user || !ok || user.disabledAt) {
    // Unknown accounts count too, so a lockout says nothing about which addresses exist.
    await recordStaffSignInFailure(parsed.data.email, ip);
    return null;
  }
  await clearStaffSignInFailures(parsed.data.email, ip);
  await db().staffUser.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion };
}

/** The customer a portal link lets in, or null when the token is forged, expired or the customer is gone. */
export async function authenticatePortalToken(token: unknown) {
  if (typeof token !== "string") return null;
  const claims = verifyPortalToken(token);
  if (!claims) return null;
  const customer = await db().customer.findFirst({ where: { id: claims.customerId, deletedAt: null } });
  if (!customer) return null;
  return { id: customer.id, email: customer.email, name: customer.displayName ?? customer.legalName, role: "customer" };
}

/** The customer and invoice an invoice e-mail's pay link opens, or null when forged, expired or no longer theirs. */
export async function authenticateInvoicePayLink(token: unknown) {
  if (typeof token !== "string" || token.length > 1000) return null;
  const claims = verifyInvoicePayToken(token);
  if (!claims) return null;
  const invoice = await db().invoice.findFirst({ where: { id: claims.invoiceId, customerId: claims.customerId, shadow: false, status: { in: ["finalized", "paid"] } }, include: { customer: true } });
  if (!invoice || invoice.customer.deletedAt) return null;
  const customer = invoice.customer;
  return { id: customer.id, email: customer.email, name: customer.displayName ?? customer.legalName, role: "customer", invoiceScope: invoice.id };
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin", verifyRequest: "/portal/sign-in/check-email" },
  adapter: portalEmailAdapter(db),
  providers: [
    EmailProvider({
      maxAge: PORTAL_LINK_MAX_AGE_SECONDS,
      // Our mail module sends it (SMTP_URL, or the server log in development), and only to a customer's address.
      server: "smtp://unused.invalid",
      // Not awaited: the answer takes the same time whether or not a customer has the address (only then does an e-mail
      // go out), so response times cannot tell which addresses are customers'.
      sendVerificationRequest: async ({ identifier, url }) => {
        void sendPortalSignInLink(db(), identifier, url).catch((error) => console.error("Portal sign-in e-mail failed:", (error as Error).message));
      },
    }),
    CredentialsProvider({
      id: "staff-credentials",
      name: "Staff e-mail and password",
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) => authenticateStaff(credentials?.email, credentials?.password, clientIp(req?.headers ?? {})),
    }),
    CredentialsProvider({
      id: "portal-token",
      name: "Customer portal link",
      credentials: { token: { label: "Token", type: "text" } },
      authorize: (credentials) => authenticatePortalToken(credentials?.token),
    }),
    CredentialsProvider({
      id: "invoice-pay-link",
      name: "Invoice pay link",
      credentials: { token: { label: "Token", type: "text" } },
      authorize: (credentials) => authenticateInvoicePayLink(credentials?.token),
    }),
  ],
  callbacks: {
    async jwt({ token, user, account, trigger, session }) {
      if (user) {
        const role = (user as { role?: string }).role;
        token.kind = role === "customer" ? "customer" : "staff";
        token.role = role;
        token.sub = user.id;
        // Staff sessions carry the member's session version; each request checks it (lib/auth/staff-session.ts).
        token.sessionVersion = (user as { sessionVersion?: number }).sessionVersion;
        // Signing in through the e-mailed link proves the address: every account billed to it may be opened.
        token.verifiedEmail = account?.provider === "email" && user.email ? user.email.toLowerCase() : undefined;
        // A pay-link session opens one invoice only (lib/auth/customer-session.ts); any other sign-in clears it.
        token.invoiceScope = (user as { invoiceScope?: string }).invoiceScope;
      }
      if (trigger === "update" && token.kind === "customer" && typeof token.verifiedEmail === "string") {
        const target = await portalAccountSwitch(db(), token.verifiedEmail, (session as { customerId?: unknown } | undefined)?.customerId);
        if (target) {
          token.sub = target.id;
          token.name = target.name;
        }
      }
      return token;
    },
    session({ session, token }) {
      if (session.user) {
        Object.assign(session.user, { id: token.sub, kind: token.kind, role: token.role, name: token.name, verifiedEmail: token.verifiedEmail ?? null, invoiceScope: token.invoiceScope ?? null, sessionVersion: token.sessionVersion ?? null });
      }
      return session;
    },
  },
};
