"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { staffAction } from "@/lib/auth/staff-action";
import { uuid } from "@/lib/console/forms/form-schemas";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { publicBaseUrl } from "@/lib/portal/access-token";
import { changeStaffRole, inviteForm, inviteStaff, setStaffDisabled, STAFF_ROLES } from "@/lib/staff/staff-members";

// Staff administration is for administrators only.

const memberId = z.tuple([uuid]);

export interface InvitationShown {
  link: string;
  note: string;
}

export const inviteStaffAction = staffAction<typeof inviteForm, InvitationShown>({ role: "admin" }, inviteForm, async (form, { staff }) => {
  const h = await headers();
  const baseUrl = publicBaseUrl(`${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`);
  const invitation = await inviteStaff(db(), form, staff.id, baseUrl);
  refreshConsole();
  const { mail } = invitation;
  const mailed = "message" in mail ? `not e-mailed (${mail.message})` : mail.status === "sent" ? `e-mailed to ${invitation.email}` : "written to the server log (no SMTP configured)";
  return {
    message: `${invitation.email} invited as ${form.role}.`,
    result: { link: invitation.link, note: `Set-password link ${mailed}; it works once, until ${formatDateTime(invitation.expiresAt)}.` },
  };
});

export const changeStaffRoleAction = staffAction({ role: "admin", args: memberId }, z.object({ role: z.enum(STAFF_ROLES, { error: "value_is_invalid" }) }), async ({ role }, { staff, args: [id] }) => {
  const member = await changeStaffRole(db(), id, role, staff.id);
  refreshConsole();
  return { message: `${member.email} is now ${role}: it applies from their next request.` };
});

export const setStaffDisabledAction = staffAction({ role: "admin", args: memberId }, z.object({ disabled: z.enum(["true", "false"]).transform((v) => v === "true") }), async ({ disabled }, { staff, args: [id] }) => {
  const member = await setStaffDisabled(db(), id, disabled, staff.id);
  refreshConsole();
  return { message: disabled ? `${member.email} is disabled: their sessions have ended.` : `${member.email} is enabled again.` };
});
