import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { authOptions } from "./options";

export type StaffRole = "admin" | "finance" | "viewer";

export interface StaffSession {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
}

/**
 * The signed-in staff member, as the database says now: the role is the member's current one, and a session whose
 * member was disabled, or whose session version is older than the member's (bumped on disabling and on a new
 * password), is no session — so such changes take effect on the member's next request, not when the 12-hour token
 * expires.
 */
export async function currentStaff(): Promise<StaffSession | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as { id?: string; kind?: string; sessionVersion?: number | null } | undefined;
  if (!user || user.kind !== "staff" || !user.id) return null;
  const member = await db().staffUser.findUnique({ where: { id: user.id }, select: { id: true, email: true, name: true, role: true, disabledAt: true, sessionVersion: true } });
  if (!member || member.disabledAt || member.sessionVersion !== user.sessionVersion) return null;
  return { id: member.id, email: member.email, name: member.name, role: member.role };
}

/** For console pages: the signed-in staff member, or a redirect to sign-in that comes back here. */
export async function requireStaffPage(returnTo: string): Promise<StaffSession> {
  const staff = await currentStaff();
  if (!staff) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return staff;
}
