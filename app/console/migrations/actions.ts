"use server";

import { staffAction } from "@/lib/auth/staff-action";
import { db } from "@/lib/db/prisma";
import { promoteForm, revertPromotionForm } from "@/lib/console/forms/migration-forms";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { promoteService, revertPromotion } from "@/lib/migration/promotion";

// Promoting needs finance (overriding unmet readiness needs an administrator: promoteService checks the role it is
// given); undoing a promotion needs an administrator.

export const promoteServiceAction = staffAction({ role: "finance" }, promoteForm, async (form, { staff }) => {
  const summary = await promoteService(db(), { serviceId: form.service_id, boundary: form.boundary, actor: { staffId: staff.id, role: staff.role }, overrideReason: form.override_reason });
  refreshConsole();
  return {
    message: `Promoted to live: ${summary.subscriptions} subscription(s) of ${summary.customers} customer(s), ${summary.cardsAdopted} saved card(s) adopted${summary.overridden.length ? ` (readiness overridden: ${summary.overridden.map((c) => c.title).join("; ")})` : ""}.`,
  };
});

export const revertPromotionAction = staffAction({ role: "admin" }, revertPromotionForm, async (form, { staff }) => {
  const result = await revertPromotion(db(), { serviceId: form.service_id, actor: { staffId: staff.id, role: staff.role }, reason: form.reason });
  refreshConsole();
  return { message: `Back in dual-run: ${result.subscriptions} subscription(s) are shadow again${result.draftsDeleted ? `, ${result.draftsDeleted} live draft(s) deleted` : ""}.` };
});
