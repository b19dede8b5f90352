"use server";

import { after } from "next/server";
import { z } from "zod";
import { noFields, staffAction } from "@/lib/auth/staff-action";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { sourceSettingsForm } from "@/lib/console/forms/nexacloud-forms";
import { refreshConsole } from "@/lib/console/forms/staff-form-action";
import { executeImportRun, startImportRun } from "@/lib/nexacloud/importer";
import { checkSourceConnection, type ConnectionCheck } from "@/lib/nexacloud/source-database";
import { loadSourceSettings, saveSourceSettings } from "@/lib/nexacloud/source-settings";
import { recordAudit, staffActor } from "@/lib/audit/audit-log";
import { ensureServiceMigration, refuseRetired } from "@/lib/migration/service-migration";

// The migration source holds another system's database credentials: administrators only.

export const saveSourceSettingsAction = staffAction({ role: "admin" }, sourceSettingsForm, async (form, { staff }) => {
  await saveSourceSettings(db(), {
    dsn: form.clear_dsn ? "" : form.dsn,
    serviceId: form.service_id,
    toleranceCents: form.tolerance_cents,
    tolerancePercent: form.tolerance_percent,
  });
  await recordAudit(db(), staffActor(staff.id), { action: "nexacloud.source_settings_saved", entityType: "NexaCloudSource", entityId: "1", data: { dsnChanged: Boolean(form.dsn || form.clear_dsn) } });
  refreshConsole();
  return { message: "Settings saved." };
});

async function configuredSource() {
  const settings = await loadSourceSettings(db());
  if (settings.dsnError) throw new DomainError("invalid", "validation_errors", { form: ["dsn_unreadable"] }, settings.dsnError);
  if (!settings.dsn) throw new DomainError("invalid", "validation_errors", { dsn: ["value_is_mandatory"] }, "Save NexaCloud's DSN first (or set NEXACLOUD_DATABASE_URL).");
  if (!settings.service) throw new DomainError("invalid", "validation_errors", { service_id: ["value_is_mandatory"] }, "Choose the shadow service to import into.");
  return { ...settings, dsn: settings.dsn, service: settings.service };
}

export const testConnectionAction = staffAction<typeof noFields, ConnectionCheck>({ role: "admin" }, noFields, async () => {
  const { dsn } = await configuredSource();
  const check = await checkSourceConnection(dsn);
  return { message: check.ok ? "Connected: every expected table and column is there." : `Connection check failed: ${check.problems.join(" ")}`, result: check };
});

export const startImportAction = staffAction({ role: "admin", args: z.tuple([z.boolean()]) }, noFields, async (_form, { staff, args: [dryRun] }) => {
  const { dsn, service } = await configuredSource();
  const migration = await ensureServiceMigration(db(), service.id, "nexacloud");
  refuseRetired(migration);
  const runId = await startImportRun(db(), { dryRun, startedById: staff.id, serviceId: service.id });
  // The run continues after the response; the page follows its progress on the ImportRun row.
  after(() => executeImportRun(db(), runId, { dsn, serviceId: service.id, dryRun }).catch((error) => console.error("NexaCloud import failed", error)));
  refreshConsole();
  return { message: dryRun ? "Dry run started: nothing will be written." : "Import started." };
});
