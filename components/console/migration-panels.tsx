"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { FormMessage, SelectField, SubmitButton, TextAreaField, TextField } from "@/components/forms/form-fields";

type Action = (state: FormState, formData: FormData) => Promise<FormState>;

/** Promote to live at a boundary; the override reason is asked for only when readiness is not met. */
export function PromoteForm({ action, serviceId, ready, defaultBoundary }: { action: Action; serviceId: string; ready: boolean; defaultBoundary: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="promote-form">
      <FormMessage state={state} />
      <input type="hidden" name="service_id" value={serviceId} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Boundary (first day billed live)" name="boundary" type="date" state={state} defaults={{ boundary: defaultBoundary }}
          hint="Each subscription's first live period starts where the old system's last invoiced period ended; an account it never invoiced starts here." />
        {ready ? null : (
          <TextAreaField label="Override reason (administrators only)" name="override_reason" state={state}
            hint="Readiness is not met. Say why the service goes live anyway; the reason and the unmet conditions are kept in the audit log." />
        )}
      </div>
      <SubmitButton pendingLabel="Promoting…" tone={ready ? "primary" : "danger"}>{ready ? "Promote to live" : "Promote to live anyway"}</SubmitButton>
    </form>
  );
}

export function RevertPromotionForm({ action, serviceId }: { action: Action; serviceId: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="revert-form">
      <FormMessage state={state} />
      <input type="hidden" name="service_id" value={serviceId} />
      <TextAreaField label="Why undo the cutover" name="reason" state={state} hint="Possible until the first live invoice is finalized; live drafts are deleted." />
      <SubmitButton pendingLabel="Undoing…" tone="danger">Undo promotion</SubmitButton>
    </form>
  );
}

export function DualRunSettingsForm({ action, serviceId, defaults }: { action: Action; serviceId: string; defaults: Record<string, string> }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="dual-run-settings">
      <FormMessage state={state} />
      <input type="hidden" name="service_id" value={serviceId} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Schedule (cron, UTC)" name="schedule_cron" state={state} defaults={defaults} placeholder="15 4 * * *" hint="Empty: by hand only." />
        <TextField label="Months for readiness" name="readiness_months" state={state} defaults={defaults} hint="The last complete months that must each reconcile within tolerance." />
        <TextField label="Alert above (accounts)" name="drift_alert_mismatches" state={state} defaults={defaults} hint="Mismatched accounts in a month before staff are e-mailed." />
        <TextField label="Alert above (cents)" name="drift_alert_delta_cents" state={state} defaults={defaults} hint="Total absolute delta of a month before staff are e-mailed." />
      </div>
      <SubmitButton>Save dual-run settings</SubmitButton>
    </form>
  );
}

/** A one-button form posting hidden fields. */
export function ButtonForm({ action, fields, label, pendingLabel }: { action: Action; fields: Record<string, string>; label: string; pendingLabel: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-2">
      {Object.entries(fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      <SubmitButton pendingLabel={pendingLabel}>{label}</SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

/** Match rate per month as bars (the health panel's trend). */
export function TrendChart({ points }: { points: { period: string; matchRatePercent: number | null; mismatches: number }[] }) {
  if (points.length === 0) return <p className="text-sm text-slate-500">No month reconciled yet.</p>;
  const width = Math.max(points.length * 56, 200);
  return (
    <svg role="img" aria-label="Match rate per month" width={width} height={140} className="rounded-md border border-slate-200 bg-white">
      {points.map((p, i) => {
        const rate = p.matchRatePercent ?? 0;
        const h = Math.round(rate);
        return (
          <g key={p.period} transform={`translate(${i * 56 + 12}, 0)`}>
            <rect x={0} y={110 - h} width={32} height={h} className={p.mismatches ? "fill-amber-500" : "fill-emerald-500"} />
            <text x={16} y={104 - h} textAnchor="middle" className="fill-slate-700 text-[10px]">{p.matchRatePercent === null ? "—" : `${p.matchRatePercent}%`}</text>
            <text x={16} y={128} textAnchor="middle" className="fill-slate-500 text-[10px]">{p.period}</text>
          </g>
        );
      })}
    </svg>
  );
}

export function RetireSourceForm({ action, serviceId, complete }: { action: Action; serviceId: string; complete: boolean }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="retire-form">
      <FormMessage state={state} />
      <input type="hidden" name="service_id" value={serviceId} />
      {complete ? null : <TextAreaField label="Reason (administrators only)" name="reason" state={state} hint="The checklist is incomplete: say why the source is retired anyway (kept in the audit log)." />}
      <SubmitButton pendingLabel="Retiring…" tone="danger">Retire the source</SubmitButton>
    </form>
  );
}

/** The source's connection fields (a saved secret is never shown: left blank, it is kept) and the tolerance. */
export function SourceConnectionForm({ action, serviceId, fields, defaults, storedSecrets }: {
  action: Action;
  serviceId: string;
  fields: { key: string; label: string; secret: boolean; placeholder?: string }[];
  defaults: Record<string, string>;
  storedSecrets: string[];
}) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate data-testid="source-connection-form" aria-label="Source connection">
      <FormMessage state={state} />
      <input type="hidden" name="service_id" value={serviceId} />
      <div className="grid gap-4 sm:grid-cols-2">
        {fields.map((f) => (
          <TextField key={f.key} label={f.label} name={f.key} type={f.secret ? "password" : "text"} state={state} defaults={f.secret ? {} : defaults} placeholder={f.placeholder}
            hint={f.secret ? (storedSecrets.includes(f.key) ? "Stored encrypted; leave blank to keep it." : "Stored encrypted; never shown again.") : undefined} />
        ))}
        <TextField label="Tolerance (cents)" name="tolerance_cents" state={state} defaults={defaults} hint="A customer's month matches when the difference is within this many cents…" />
        <TextField label="Tolerance (percent)" name="tolerance_percent" state={state} defaults={defaults} hint="… or within this percentage of the old system's amount." />
      </div>
      <SubmitButton>Save connection</SubmitButton>
    </form>
  );
}

/** Starts a migration: a shadow service and the old system it moves from. */
export function StartMigrationForm({ action, services, sources }: { action: Action; services: { value: string; label: string }[]; sources: { value: string; label: string }[] }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  if (services.length === 0) return <p className="text-sm text-slate-500">Every shadow service already has a migration; create a shadow service first.</p>;
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="Start a migration">
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Shadow service" name="service_id" state={state} defaults={{ service_id: services[0].value }} options={services} />
        <SelectField label="Old billing system" name="source_kind" state={state} defaults={{ source_kind: sources[0]?.value ?? "" }} options={sources} />
      </div>
      <SubmitButton>Add the source</SubmitButton>
    </form>
  );
}
