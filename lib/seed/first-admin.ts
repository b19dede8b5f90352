import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db/prisma";
import { hashPassword } from "@/lib/auth/password";

export const DEFAULT_ADMIN_EMAIL = "admin@localhost.localdomain";

/**
 * A production first start: creates one staff administrator and nothing else (no services, no customers, no company
 * profile — the administrator sets those in the console). Does nothing when any staff user exists. The password is
 * generated unless given, and returned so the caller prints it once.
 */
export async function createFirstAdmin(client: Db, options: { email?: string; password?: string } = {}): Promise<{ created: boolean; email: string; password?: string }> {
  const email = z.email().safeParse((options.email ?? DEFAULT_ADMIN_EMAIL).trim().toLowerCase());
  if (!email.success) throw new Error(`ADMIN_EMAIL is not an e-mail address: ${options.email}`);
  if ((await client.staffUser.count()) > 0) return { created: false, email: email.data };
  const password = options.password ?? randomBytes(12).toString("base64url");
  if (password.length < 12) throw new Error("The administrator's password must have at least 12 characters.");
  // Hashed before the transaction: bcrypt is slow on purpose and must not hold it open.
  const passwordHash = await hashPassword(password);
  await client.$transaction(async (tx) => {
    const user = await tx.staffUser.create({ data: { email: email.data, name: "Administrator", passwordHash, role: "admin" } });
    await tx.auditLog.create({ data: { actorType: "system", action: "staff_user.created", entityType: "StaffUser", entityId: user.id, data: { email: email.data, role: "admin", reason: "first start" } } });
  });
  return { created: true, email: email.data, password };
}
