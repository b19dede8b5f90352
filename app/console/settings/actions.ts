"use server";

import type { FormState } from "@/lib/console/forms/form-state";
import { refreshConsole, runStaffForm } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { companyProfileForm, updateCompanyProfile, type LogoChange } from "@/lib/settings/company-profile-settings";

/** Company profile: admin only (it is printed on every document and decides which taxes are registered). */
export async function updateCompanyProfileAction(_state: FormState, formData: FormData): Promise<FormState> {
  return runStaffForm(formData, async ({ staff, values }) => {
    if (staff.role !== "admin") throw new DomainError("forbidden", "admin_only", undefined, "Only an administrator can change the company profile.");
    const input = companyProfileForm.parse(values);
    const upload = formData.get("logo");
    let logo: LogoChange = { kind: "keep" };
    if (values.remove_logo === "on") logo = { kind: "remove" };
    else if (upload instanceof Blob && upload.size > 0) logo = { kind: "replace", bytes: new Uint8Array(await upload.arrayBuffer()) };
    await updateCompanyProfile(db(), input, logo, { staffId: staff.id });
    refreshConsole();
    return { message: "Company profile saved. Invoices and credit notes issued from now on print it; those already issued keep what they printed." };
  });
}
