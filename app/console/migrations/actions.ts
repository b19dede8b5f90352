"use server";

import { redirect } from "next/navigation";
import { after } from "next/server";
import { staffAction } from "@/lib/auth/staff-action";
import { recordAudit, staffActor } from "@/lib/audit/audit-log";
import { consoleNow } from "@/lib/console/console-clock";
import { db } from "@/lib/db/prisma";
import { alertForm, dualRunSettingsForm, promoteForm, retireSourceForm, revertPromotionForm, serviceOnlyForm, sourceConnectionForm, sourceImportForm, startMigrationForm } from "@/lib/console/forms/migration-forms";
import { retireSource } from "@/lib/migration/decommission";
import { startBillingJobs } from "@/lib/jobs/billing-jobs";
import { syncDualRunSchedule } from "@/lib/jobs/migration-jobs";
import { acknowledgeDriftAlert } from "@/lib/migration/drift-alerts";
import { runDualRun } from "@/lib/migration/dual-run";
import { DomainError } from "@/lib/errors";
import { ensureServiceMigration, loadServiceMigration, loadSourceConnection, saveDualRunSettings, saveSourceConnection } from "@/lib/migration/service-migration";
import { migrationSource } from "@/lib/migration/sources";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { promoteService, revertPromotion } from "@/lib/migration/promotion";

// Dual-run settings, runs and alerts need finance (a run imports with the stored credentials but never shows them).
// Promoting needs finance (overriding unmet readiness needs an administrator: promoteService checks the role it is
// given); undoing a promotion needs an administrator.

export const promoteServiceAction = staffAction({ role: "finance" }, promoteForm, async (form, { staff }) => {
  const summary = await promoteService(db(), { serviceId: form.service_id, boundary: form.boundary, actor: { staffId: staff.id, role: staff.role }, overrideReason: form.override_reason, now: await consoleNow() });
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

/** Starts a shadow service's migration from a source, then opens its page to connect the source. */
export const startMigrationAction = staffAction({ role: "finance" }, startMigrationForm, async (form, { staff }) => {
  let kind: string;
  try {
    kind = migrationSource(form.source_kind).kind;
  } catch {
    throw new DomainError("invalid", "validation_errors", { source_kind: ["value_is_invalid"] }, "Choose a source from the list.");
  }
  await ensureServiceMigration(db(), form.service_id, kind);
  await recordAudit(db(), staffActor(staff.id), { action: "migration.started", entityType: "Service", entityId: form.service_id, data: { sourceKind: kind } });
  redirect(`/console/migrations/${form.service_id}#source-connection`);
});

/**
 * Saves the source's connection (encrypted) and the reconciliation tolerance. Another system's credentials: admins
 * only, as on the Imports page. A blank secret keeps the stored one only while the other fields (the address it is
 * sent to) are unchanged: otherwise a stored key could be pointed at any host.
 */
export const saveSourceConnectionAction = staffAction({ role: "admin" }, sourceConnectionForm, async (form, { staff }) => {
  const { source } = await loadServiceMigration(db(), form.service_id);
  const stored = (await loadSourceConnection(db(), form.service_id)).connection ?? {};
  const given = (key: string) => {
    const value = (form as Record<string, unknown>)[key];
    return typeof value === "string" ? value : "";
  };
  const sameAddress = source.connectionFields.every((field) => field.secret || given(field.key) === (stored[field.key] ?? ""));
  const connection: Record<string, string> = {};
  for (const field of source.connectionFields) {
    connection[field.key] = given(field.key) || (field.secret && sameAddress ? (stored[field.key] ?? "") : "");
  }
  const problems = source.connectionProblems(connection);
  if (problems) throw new DomainError("invalid", "validation_errors", problems, "Check the highlighted fields.");
  await saveSourceConnection(db(), { serviceId: form.service_id, sourceKind: source.kind, connection, toleranceCents: form.tolerance_cents, tolerancePercent: form.tolerance_percent });
  // The audit names the fields changed, never their values.
  await recordAudit(db(), staffActor(staff.id), { action: "migration.source_connection_saved", entityType: "Service", entityId: form.service_id, data: { sourceKind: source.kind, fields: Object.keys(connection) } });
  refreshConsole();
  return { message: `Saved: ${source.label} connection and tolerance.` };
});

export const testSourceConnectionAction = staffAction({ role: "admin" }, serviceOnlyForm, async ({ service_id }) => {
  const { source } = await loadServiceMigration(db(), service_id);
  const check = await source.testConnection(db(), service_id);
  const facts = check.facts.map((f) => `${f.label}: ${f.value}`).join(", ");
  if (!check.ok) throw new DomainError("invalid", "source_unreachable", undefined, `${source.label} connection failed: ${check.problems.join(" ")}`);
  return { message: `Connected to ${source.label} — ${facts}.` };
});

/** A dry run (rolled back) or a real import, run after the answer: its ImportRun shows progress and log. */
export const runSourceImportAction = staffAction({ role: "admin" }, sourceImportForm, async ({ service_id, dry_run }, { staff }) => {
  const { source } = await loadServiceMigration(db(), service_id);
  const runId = await source.startImport(db(), { serviceId: service_id, dryRun: dry_run, startedById: staff.id });
  after(() => source.executeImport(db(), runId, { serviceId: service_id, dryRun: dry_run }).catch((error) => console.error("Import failed", error)));
  return { message: `${dry_run ? "Dry run" : "Import"} from ${source.label} started: its progress and log are on the Imports page (run ${runId.slice(0, 8)}).` };
});
