"use server";

import { staffAction } from "@/lib/auth/staff-action";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { reconciliationRunForm } from "@/lib/console/forms/nexacloud-forms";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { ensureServiceMigration, reconcileMonth } from "@/lib/migration/service-migration";
import { loadSourceSettings } from "@/lib/nexacloud/source-settings";

export const runReconciliationAction = staffAction({ role: "finance" }, reconciliationRunForm, async ({ period }) => {
  const settings = await loadSourceSettings(db());
  if (!settings.dsn) throw new DomainError("invalid", "validation_errors", { form: ["no_dsn"] }, settings.dsnError ?? "Save NexaCloud's DSN on the Imports page first.");
  if (!settings.service) throw new DomainError("invalid", "validation_errors", { form: ["no_service"] }, "Choose the NexaCloud service on the Imports page first.");
  // Through the service's migration, so the month's run counts for readiness, the health panel and drift alerts.
  await ensureServiceMigration(db(), settings.service.id, "nexacloud");
  const summary = await reconcileMonth(db(), settings.service.id, period);
  refreshConsole();
  const unlinked = summary.unlinked.length ? ` ${summary.unlinked.length} NexaCloud user(s) invoiced but not imported: ${summary.unlinked.map((u) => u.accountId).slice(0, 10).join(", ")}.` : "";
  return { message: `${period} reconciled: ${summary.match} match, ${summary.delta} delta, ${summary.error} error.${unlinked}` };
});
