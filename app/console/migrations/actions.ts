"use server";

import { after } from "next/server";
import { staffAction } from "@/lib/auth/staff-action";
import { recordAudit, staffActor } from "@/lib/audit/audit-log";
import { db } from "@/lib/db/prisma";
import { alertForm, dualRunSettingsForm, promoteForm, retireSourceForm, revertPromotionForm, serviceOnlyForm } from "@/lib/console/forms/migration-forms";
import { retireSource } from "@/lib/migration/decommission";
import { startBillingJobs } from "@/lib/jobs/billing-jobs";
import { syncDualRunSchedule } from "@/lib/jobs/migration-jobs";
import { acknowledgeDriftAlert } from "@/lib/migration/drift-alerts";
import { runDualRun } from "@/lib/migration/dual-run";
import { saveDualRunSettings } from "@/lib/migration/service-migration";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { promoteService, revertPromotion } from "@/lib/migration/promotion";

// Dual-run settings, runs and alerts need finance (a run imports with the stored credentials but never shows them).
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

export const saveDualRunSettingsAction = staffAction({ role: "finance" }, dualRunSettingsForm, async (form, { staff }) => {
  await saveDualRunSettings(db(), form.service_id, {
    scheduleCron: form.schedule_cron, readinessMonths: form.readiness_months, driftAlertMismatches: form.drift_alert_mismatches, driftAlertDeltaCents: form.drift_alert_delta_cents,
  });
  const url = process.env.DATABASE_URL;
  if (url && process.env.NEXA_JOBS !== "off") await syncDualRunSchedule(await startBillingJobs(url, db()), db(), form.service_id);
  await recordAudit(db(), staffActor(staff.id), { action: "migration.dual_run_settings_saved", entityType: "Service", entityId: form.service_id, data: { scheduleCron: form.schedule_cron } });
  refreshConsole();
  return { message: form.schedule_cron ? `Saved: the dual-run runs on "${form.schedule_cron}" (UTC).` : "Saved: the dual-run runs by hand only." };
});

export const runDualRunNowAction = staffAction({ role: "finance" }, serviceOnlyForm, async ({ service_id }, { staff }) => {
  // Runs after the answer; its ImportRun shows progress on the Imports page and the health panel fills in.
  after(() => runDualRun(db(), service_id, { startedById: staff.id }).catch((error) => console.error("Dual-run failed", error)));
  return { message: "Dual-run started: import, then reconciliation of the months that changed." };
});

export const acknowledgeAlertAction = staffAction({ role: "finance" }, alertForm, async ({ alert_id }, { staff }) => {
  await acknowledgeDriftAlert(db(), alert_id, staff.id);
  refreshConsole();
  return { message: "Alert acknowledged." };
});

/** Retiring needs finance with a complete checklist, an administrator (with a written reason) otherwise. */
export const retireSourceAction = staffAction({ role: "finance" }, retireSourceForm, async (form, { staff }) => {
  await retireSource(db(), { serviceId: form.service_id, actor: { staffId: staff.id, role: staff.role }, reason: form.reason });
  const url = process.env.DATABASE_URL;
  if (url && process.env.NEXA_JOBS !== "off") await syncDualRunSchedule(await startBillingJobs(url, db()), db(), form.service_id);
  refreshConsole();
  return { message: "Source retired: its schedule is stopped and its history is read-only." };
});
