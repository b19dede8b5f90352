import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { formatDateTime } from "@/lib/format";
import { listStaff } from "@/lib/staff/staff-members";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { InviteStaffForm, StaffTable } from "@/components/console/staff-admin";
import { changeStaffRoleAction, inviteStaffAction, setStaffDisabledAction } from "./actions";

export const metadata: Metadata = { title: "Staff" };
export const dynamic = "force-dynamic";

export default async function StaffPage() {
  const me = await requireStaffPage("/console/staff");
  if (me.role !== "admin") {
    return (
      <div className="space-y-6">
        <PageHeader title="Staff" description="Only administrators manage staff." />
      </div>
    );
  }
  const members = await listStaff(db());
  return (
    <div className="space-y-10">
      <PageHeader title="Staff"
        description="Roles: administrators manage staff, services and the migration source; finance runs billing, invoices, credit notes, refunds and the catalog; viewers only read. A change applies on the person's next request." />
      <PageSection title="Invite someone">
        <Panel><InviteStaffForm action={inviteStaffAction} /></Panel>
      </PageSection>
      <PageSection title="People">
        <StaffTable rows={members.map((m) => ({
          id: m.id,
          name: m.name,
          email: m.email,
          role: m.role,
          status: m.disabledAt ? "disabled" : m.passwordHash ? "active" : "invited",
          lastSignIn: m.lastSignInAt ? formatDateTime(m.lastSignInAt) : "never",
          self: m.id === me.id,
          roleAction: changeStaffRoleAction.bind(null, m.id),
          disableAction: setStaffDisabledAction.bind(null, m.id),
        }))} />
      </PageSection>
    </div>
  );
}
