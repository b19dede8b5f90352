import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { db } from "@/lib/db/prisma";
import { companyProfile } from "@/lib/invoicing/company-profile";
import { companyProfileDefaults } from "@/lib/settings/company-profile-settings";
import { CompanyProfileForm } from "@/components/console/company-profile-form";
import { updateCompanyProfileAction } from "./actions";

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
    </div>
  );
}
