import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { companyProfile } from "@/lib/invoicing/company-profile";
import { companyProfileDefaults } from "@/lib/settings/company-profile-settings";
import { CompanyProfileForm } from "@/components/console/company-profile-form";
import { formatDateTime } from "@/lib/format";
import { listReportingTokens } from "@/lib/reports/reporting-tokens";
import { ReportingTokensPanel } from "@/components/console/reporting-tokens";
import { createReportingTokenAction, revokeReportingTokenAction, updateCompanyProfileAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const staff = await requireStaffPage("/console/settings");
  const profile = await companyProfile(db());
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Company profile</h1>
        <p className="mt-1 text-sm text-slate-600">
          The seller printed on every invoice and credit note, its tax registrations (a tax is charged only where the company is
          registered for it) and the defaults for new invoices. Documents already issued keep what they printed.
        </p>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-5">
        <CompanyProfileForm action={updateCompanyProfileAction} defaults={companyProfileDefaults(profile)} hasLogo={profile.logoId !== null}
          canEdit={staff.role === "admin"} />
      </section>
      <section aria-labelledby="reporting-tokens" className="space-y-3 rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="reporting-tokens" className="text-lg font-semibold">Reporting tokens</h2>
        <p className="text-sm text-slate-600">
          Read-only access for the company&apos;s BI tool to every report (<code>/api/reports/v1</code>, see the README). A token reads
          all services&apos; figures and changes nothing; a service&apos;s API key is refused there.
        </p>
        <ReportingTokensPanel canEdit={staff.role === "admin"} createAction={createReportingTokenAction} revokeAction={revokeReportingTokenAction}
          rows={(await listReportingTokens(db())).map((t) => ({
            id: t.id, name: t.name, prefix: t.prefix, created: formatDateTime(t.createdAt), lastUsed: t.lastUsedAt ? formatDateTime(t.lastUsedAt) : "Never",
            revoked: t.revokedAt ? formatDateTime(t.revokedAt) : null,
          }))} />
      </section>
    </div>
  );
}
