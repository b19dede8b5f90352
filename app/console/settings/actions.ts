"use server";

import { z } from "zod";
import { staffAction } from "@/lib/auth/staff-action";
import type { RevealedSecret } from "@/lib/console/forms/service-forms";
import { createReportingToken, revokeReportingToken } from "@/lib/reports/reporting-tokens";
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

/** Reporting tokens (read-only BI access to every report): administrators only. The token is shown once. */
export const createReportingTokenAction = staffAction({ role: "admin" }, z.object({ name: z.string() }), async (input, { staff }) => {
  const { token } = await createReportingToken(db(), input.name, staff.id);
  refreshConsole();
  return { message: "Reporting token created.", result: { secret: token, label: "New reporting token" } satisfies RevealedSecret };
});

export const revokeReportingTokenAction = staffAction({ role: "admin" }, z.object({ token_id: z.uuid() }), async (input, { staff }) => {
  await revokeReportingToken(db(), input.token_id, staff.id);
  refreshConsole();
  return { message: "Reporting token revoked." };
});
