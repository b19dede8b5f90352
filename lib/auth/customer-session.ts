import { getServerSession } from "next-auth";
import { authOptions } from "./options";

export interface CustomerSession {
  customerId: string;
  name: string;
  /** The address proven by an e-mailed sign-in link; null after a portal_url sign-in. */
  verifiedEmail: string | null;
}

/** The customer signed in to the portal, if any (staff sessions are not customer sessions). */
export async function currentCustomer(): Promise<CustomerSession | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as { id?: string; kind?: string; name?: string; verifiedEmail?: string | null } | undefined;
  if (!user || user.kind !== "customer" || !user.id) return null;
  return { customerId: user.id, name: user.name ?? "", verifiedEmail: user.verifiedEmail ?? null };
}
