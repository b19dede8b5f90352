import { getServerSession } from "next-auth";
import { authOptions } from "./options";

export interface CustomerSession {
  customerId: string;
  name: string;
  /** The address proven by an e-mailed sign-in link; null after a portal_url sign-in. */
  verifiedEmail: string | null;
  /** Set when the session came from an invoice's pay link: it opens that invoice only. */
  invoiceScope?: string | null;
}

/**
 * The customer signed in to the portal, if any (staff sessions are not customer sessions). A session opened by an
 * invoice's pay link counts only where the caller names that invoice (`invoiceId`).
 */
export async function currentCustomer(options: { invoiceId?: string } = {}): Promise<CustomerSession | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as { id?: string; kind?: string; name?: string; verifiedEmail?: string | null; invoiceScope?: string | null } | undefined;
  if (!user || user.kind !== "customer" || !user.id) return null;
  // A pay-link session (lib/portal/invoice-pay-link.ts) is signed out everywhere but its own invoice.
  const invoiceScope = user.invoiceScope ?? null;
  if (invoiceScope && invoiceScope !== options.invoiceId) return null;
  return { customerId: user.id, name: user.name ?? "", verifiedEmail: user.verifiedEmail ?? null, invoiceScope };
}
