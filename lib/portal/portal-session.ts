import { redirect } from "next/navigation";
import { currentCustomer, type CustomerSession } from "@/lib/auth/customer-session";

/** The signed-in customer for a portal page; anyone else is sent to the portal's sign-in. */
export async function requirePortalCustomer(options: { invoiceId?: string } = {}): Promise<CustomerSession> {
  const session = await currentCustomer(options);
  if (!session) redirect("/portal/sign-in");
  return session;
}
