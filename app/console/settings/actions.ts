"use server";

import { staffAction } from "@/lib/auth/staff-action";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { invalidField } from "@/lib/errors";
import { companyProfileForm, updateCompanyProfile, type LogoChange } from "@/lib/settings/company-profile-settings";

/**
 * Company profile: administrators only (it is printed on every document and decides which taxes are registered). The
 * logo arrives as a data URL in `logo_data` (the form reads the chosen file in the browser), so it is a text input like
 * the others.
 */
export const updateCompanyProfileAction = staffAction({ role: "admin" }, companyProfileForm, async (input, { staff, values }) => {
  let logo: LogoChange = { kind: "keep" };
  if (values.remove_logo === "on") logo = { kind: "remove" };
  else if (values.logo_data) {
    const match = /^data:[\w/+.-]*;base64,([A-Za-z0-9+/=]+)$/.exec(values.logo_data);
    if (!match) throw invalidField("logo", "value_is_invalid", "The logo must be a PNG or JPEG image.");
    logo = { kind: "replace", bytes: new Uint8Array(Buffer.from(match[1], "base64")) };
  }
  await updateCompanyProfile(db(), input, logo, { staffId: staff.id });
  refreshConsole();
  return { message: "Company profile saved. Invoices and credit notes issued from now on print it; those already issued keep what they printed." };
});
