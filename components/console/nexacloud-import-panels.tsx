"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import type { ImportRunRow } from "@/lib/console/nexacloud";
import type { ConnectionCheck } from "@/lib/nexacloud/source-database";
import { CheckboxField, FormMessage, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

type Action<R = undefined> = (state: FormState<R>, formData: FormData) => Promise<FormState<R>>;

export function SourceSettingsForm({ action, defaults, services, dsnDisplay, dsnOrigin }: {
  action: Action;
  defaults: Record<string, string>;
  services: { value: string; label: string }[];
  dsnDisplay: string | null;
  dsnOrigin: "env" | "settings" | null;
}) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <p className="text-sm text-slate-600" data-testid="dsn-in-force">
        {dsnOrigin === "env" ? <>DSN from NEXACLOUD_DATABASE_URL (overrides the setting): <code>{dsnDisplay}</code></>
          : dsnDisplay ? <>Stored DSN (encrypted): <code>{dsnDisplay}</code></> : "No DSN saved yet."}
      </p>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="NexaCloud DSN" name="dsn" type="password" state={state} placeholder="postgresql://reader:…@host:5432/nexacloud"
          hint="Stored encrypted (AES-256-GCM); leave empty to keep the saved one. Give a role that can only SELECT." />
        <SelectField label="Import into service" name="service_id" state={state} defaults={defaults} options={services} hint="Shadow services only." />
        <TextField label="Tolerance (cents)" name="tolerance_cents" state={state} defaults={defaults} hint="A row matches when |delta| is at most this…" />
        <TextField label="Tolerance (%)" name="tolerance_percent" state={state} defaults={defaults} hint="…or at most this percentage of NexaCloud's amount (0 = off)." />
      </div>
      <CheckboxField label="Forget the stored DSN" name="clear_dsn" state={state} />
      <SubmitButton>Save settings</SubmitButton>
    </form>
  );
}

export function TestConnectionForm({ action }: { action: Action<ConnectionCheck> }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState<ConnectionCheck>);
  const check = state.status === "saved" ? state.result : undefined;
  return (
    <form action={formAction} className="space-y-3">
      <SubmitButton pendingLabel="Testing…">Test connection</SubmitButton>
      <div aria-live="polite" className="space-y-3">
        {check ? (
          <div role="status" data-testid="connection-result" className={`rounded-md px-3 py-2 text-sm ${check.ok ? "bg-emerald-50 text-emerald-800" : "bg-red-50 text-red-800"}`}>
            {check.ok ? `Connected (PostgreSQL ${check.serverVersion}, read-only session): every expected table and column is there.` : check.problems.join(" ")}
          </div>
        ) : <FormMessage state={state} />}
        {check && check.tables.length ? (
          <SimpleDataTable label="Source tables" columns={[{ key: "table", header: "Table" }, { key: "state", header: "Columns" }, { key: "rows", header: "Rows", align: "right" }]}
            rows={check.tables.map((t) => ({ table: t.table, state: !t.present ? "missing table" : t.missingColumns.length ? `missing ${t.missingColumns.join(", ")}` : "all present", rows: t.rows === null ? "—" : String(t.rows) }))} />
        ) : null}
      </div>
    </form>
  );
}

export function StartImportForms({ dryRunAction, importAction, running }: { dryRunAction: Action; importAction: Action; running: boolean }) {
  const [dryState, dryFormAction] = useActionState(dryRunAction, IDLE_FORM as FormState);
  const [realState, realFormAction] = useActionState(importAction, IDLE_FORM as FormState);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-3">
        <form action={dryFormAction}><fieldset disabled={running}><SubmitButton pendingLabel="Starting…">Dry run</SubmitButton></fieldset></form>
        <form action={realFormAction}><fieldset disabled={running}><SubmitButton pendingLabel="Starting…">Import</SubmitButton></fieldset></form>
      </div>
      <FormMessage state={dryState} />
      <FormMessage state={realState} />
    </div>
  );
}

/** The latest run: a banner coloured by its outcome, its counts, and its progress while it runs (the page re-reads every second). */
export function LatestImportRun({ run, warnings }: { run: ImportRunRow | null; warnings: number }) {
  const router = useRouter();
  const running = run?.status === "running";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => router.refresh(), 1000);
    return () => clearInterval(timer);
  }, [running, router]);
  if (!run) return <p className="text-sm text-slate-500">No import has run yet.</p>;
  const tone = run.status === "failed" || run.failedCount > 0 ? "red" : running ? "sky" : warnings > 0 || run.skippedCount > 0 ? "amber" : "emerald";
  const colours: Record<string, string> = {
    red: "border-red-300 bg-red-50 text-red-900", amber: "border-amber-300 bg-amber-50 text-amber-900",
    emerald: "border-emerald-300 bg-emerald-50 text-emerald-900", sky: "border-sky-300 bg-sky-50 text-sky-900",
  };
  const percent = run.totalRows ? Math.floor((run.processedRows * 100) / run.totalRows) : 0;
  return (
    <div role="status" aria-live="polite" data-testid="latest-import" data-tone={tone} className={`space-y-2 rounded-lg border px-4 py-3 text-sm ${colours[tone]}`}>
      <p>
        <strong>{run.dryRun ? "Dry run" : "Import"}</strong> · <span data-testid="import-status">{run.status}</span>
        {run.status === "failed" ? " — the run stopped; see its log." : run.failedCount > 0 ? ` — ${run.failedCount} row(s) failed; see the reasons in the log.` : ""}
        {!running && run.status !== "failed" && run.failedCount === 0 && (warnings > 0 || run.skippedCount > 0) ? ` — ${run.skippedCount} skipped, ${warnings} warning(s).` : ""}
      </p>
      <p data-testid="import-counts">
        Created {run.createdCount} · Updated {run.updatedCount} · Unchanged {run.unchangedCount} · Skipped {run.skippedCount} · Failed {run.failedCount}
      </p>
      {running ? (
        <div>
          <div className="h-2 w-full overflow-hidden rounded bg-white/70" role="progressbar" aria-label="Import progress" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100}>
            <div className="h-2 bg-sky-600" style={{ width: `${percent}%` }} />
          </div>
          <p className="mt-1 text-xs">{run.processedRows} of {run.totalRows || "…"} rows</p>
        </div>
      ) : null}
      <a href={`/console/imports/${run.id}`} className="text-sky-800 underline">Open the run&apos;s log</a>
    </div>
  );
}
