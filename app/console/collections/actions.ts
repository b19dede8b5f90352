"use server";

import { staffAction } from "@/lib/auth/staff-action";
import { dunningCampaignForm } from "@/lib/console/collections";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { db } from "@/lib/db/prisma";
import { updateDefaultCampaign } from "@/lib/dunning/dunning-campaigns";

export const updateDunningCampaignAction = staffAction({ role: "finance" }, dunningCampaignForm, async (form, { staff, values }) => {
  await updateDefaultCampaign(db(), { name: form.name, retryDays: form.retry_days, suspendAfterDays: form.suspend_after_days });
  await db().auditLog.create({ data: { actorType: "staff", actorId: staff.id, action: "dunning_campaign.updated", entityType: "DunningCampaign", data: values } });
  refreshConsole();
  return { message: "Campaign saved. Invoices already in dunning follow the new days from their first failure." };
});
