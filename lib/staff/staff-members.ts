import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { hashPassword } from "@/lib/auth/password";
import type { StaffRole } from "@/lib/auth/staff-session";
import type { Db } from "@/lib/db/prisma";
import { DomainError, entityNotFound, invalidField, isUniqueViolation } from "@/lib/errors";
import { deliverMail, type MailDelivery } from "@/lib/mail/mail-transport";

/**
 * Staff administration: administrators invite people (a one-time set-password link, e-mailed and shown to the
 * admin), change their role and disable them. Each request reads the member's role and status from the database
 * (lib/auth/staff-session.ts), so a demotion applies from the member's next request, in the session they have.
 * Disabling and setting a new password also bump `sessionVersion`, which each request compares with the version in
 * the session token: every session issued before ends, and stays ended if the member is enabled again.
 */
export const STAFF_ROLES = ["admin", "finance", "viewer"] as const satisfies readonly StaffRole[];
export const PASSWORD_LINK_TTL_HOURS = 72;
export const MIN_PASSWORD_LENGTH = 12;

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export const inviteForm = z.object({
  email: z.string().trim().toLowerCase().max(254).email({ error: "invalid_email_format" }),
  name: z.string().trim().min(1, { error: "value_is_mandatory" }).max(200, { error: "value_is_too_long" }),
  role: z.enum(STAFF_ROLES, { error: "value_is_invalid" }),
});
export type InviteInput = z.infer<typeof inviteForm>;

export interface Invitation {
  staffUserId: string;
  email: string;
  link: string;
  expiresAt: Date;
  mail: MailDelivery | { status: "failed"; message: string };
}

/** Creates the member (no password yet) and their one-time link, then e-mails it; the admin is shown it too. */
export async function inviteStaff(client: Db, input: InviteInput, invitedById: string, baseUrl: string, now = new Date()): Promise<Invitation> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + PASSWORD_LINK_TTL_HOURS * 3600_000);
  let staffUserId: string;
  try {
    staffUserId = await client.$transaction(async (tx) => {
      const member = await tx.staffUser.create({ data: { email: input.email, name: input.name, role: input.role, passwordHash: null } });
      await tx.staffPasswordLink.create({ data: { staffUserId: member.id, tokenHash: hashOf(token), expiresAt, createdById: invitedById } });
      await tx.auditLog.create({ data: { actorType: "staff", actorId: invitedById, action: "staff.invited", entityType: "StaffUser", entityId: member.id, data: { email: input.email, role: input.role } } });
      return member.id;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw invalidField("email", "value_already_exist", "Someone with this e-mail is already on the staff");
    throw error;
  }
  const link = `${baseUrl}/staff/set-password/${token}`;
  let mail: Invitation["mail"];
  try {
    mail = await deliverMail({
      to: input.email,
      subject: "Your Nexa Billing console account",
      text: `Hello ${input.name},\n\nYou have been given ${input.role} access to the Nexa Billing console. Choose your password with this link (it works once, for ${PASSWORD_LINK_TTL_HOURS} hours):\n\n${link}\n\n— Nexa Billing`,
    });
  } catch (error) {
    // The admin still has the link on screen and can hand it over another way.
    mail = { status: "failed", message: (error as Error).message };
  }
  return { staffUserId, email: input.email, link, expiresAt, mail };
}

/** The member a set-password link opens, or null when it is unknown, used or expired. */
export async function findPasswordLink(client: Db, token: string, now = new Date()) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const link = await client.staffPasswordLink.findUnique({ where: { tokenHash: hashOf(token) }, include: { staffUser: true } });
  if (!link || link.usedAt || link.expiresAt <= now || link.staffUser.disabledAt) return null;
  return link;
}

/** Sets the password through a one-time link (used up here); earlier sessions end. */
export async function setPasswordWithLink(client: Db, token: string, password: string, now = new Date()): Promise<{ email: string }> {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 200) {
    throw invalidField("password", "invalid_password", `Use ${MIN_PASSWORD_LENGTH} to 200 characters`);
  }
  const passwordHash = await hashPassword(password);
  return client.$transaction(async (tx) => {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new DomainError("forbidden", "password_link_invalid");
    const claimed = await tx.staffPasswordLink.updateManyAndReturn({ where: { tokenHash: hashOf(token), usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (claimed.length !== 1) throw new DomainError("forbidden", "password_link_invalid", undefined, "This link is unknown, expired or already used: ask an administrator for a new one");
    const member = await tx.staffUser.findUniqueOrThrow({ where: { id: claimed[0].staffUserId } });
    if (member.disabledAt) throw new DomainError("forbidden", "password_link_invalid", undefined, "This account is disabled");
    await tx.staffUser.update({ where: { id: member.id }, data: { passwordHash, sessionVersion: { increment: 1 } } });
    await tx.auditLog.create({ data: { actorType: "staff", actorId: member.id, action: "staff.password_set", entityType: "StaffUser", entityId: member.id } });
    return { email: member.email };
  });
}

/** Refuses a change that would leave no enabled administrator (nobody could administer staff any more). */
async function assertAnotherAdminRemains(tx: Parameters<Parameters<Db["$transaction"]>[0]>[0], memberId: string) {
  const others = await tx.staffUser.count({ where: { role: "admin", disabledAt: null, id: { not: memberId } } });
  if (others === 0) throw new DomainError("conflict", "last_administrator", undefined, "This is the last enabled administrator: make someone else an administrator first");
}

export async function changeStaffRole(client: Db, memberId: string, role: StaffRole, actorId: string) {
  return client.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT id FROM "StaffUser" WHERE role = 'admin' FOR UPDATE`;
    const member = await tx.staffUser.findUnique({ where: { id: memberId } });
    if (!member) throw entityNotFound("staff_user", "This staff member no longer exists");
    if (member.role === role) return member;
    if (member.role === "admin" && !member.disabledAt) await assertAnotherAdminRemains(tx, member.id);
    const updated = await tx.staffUser.update({ where: { id: member.id }, data: { role } });
    await tx.auditLog.create({ data: { actorType: "staff", actorId, action: "staff.role_changed", entityType: "StaffUser", entityId: member.id, data: { from: member.role, to: role } } });
    return updated;
  });
}

export async function setStaffDisabled(client: Db, memberId: string, disabled: boolean, actorId: string, now = new Date()) {
  return client.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT id FROM "StaffUser" WHERE role = 'admin' FOR UPDATE`;
    const member = await tx.staffUser.findUnique({ where: { id: memberId } });
    if (!member) throw entityNotFound("staff_user", "This staff member no longer exists");
    if (Boolean(member.disabledAt) === disabled) return member;
    if (disabled && member.role === "admin") await assertAnotherAdminRemains(tx, member.id);
    const updated = await tx.staffUser.update({ where: { id: member.id }, data: { disabledAt: disabled ? now : null, sessionVersion: { increment: 1 } } });
    await tx.auditLog.create({ data: { actorType: "staff", actorId, action: disabled ? "staff.disabled" : "staff.enabled", entityType: "StaffUser", entityId: member.id } });
    return updated;
  });
}

export async function listStaff(client: Db) {
  return client.staffUser.findMany({ orderBy: [{ disabledAt: { sort: "asc", nulls: "first" } }, { email: "asc" }] });
}
