import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./options";

export type StaffRole = "admin" | "finance" | "viewer";

export interface StaffSession {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
}

export async function currentStaff(): Promise<StaffSession | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as (Partial<StaffSession> & { kind?: string }) | undefined;
  if (!user || user.kind !== "staff" || !user.id || !user.email) return null;
  return { id: user.id, email: user.email, name: user.name ?? user.email, role: user.role ?? "viewer" };
}

/** For console pages: the signed-in staff member, or a redirect to sign-in that comes back here. */
export async function requireStaffPage(returnTo: string): Promise<StaffSession> {
  const staff = await currentStaff();
  if (!staff) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return staff;
}
