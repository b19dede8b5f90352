"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import type { AggregationType } from "@/lib/generated/prisma/client";
import { CheckboxField, FormMessage, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";
import { CatalogIdentityFields } from "./catalog-identity-fields";

export const AGGREGATION_LABELS: Record<AggregationType, string> = {
  count: "Count of events",
  sum: "Sum of a field",
  max: "Maximum of a field",
  last: "Last value of a field",
  unique_count: "Count of unique values",
  weighted_sum: "Time-weighted sum",
};

/**
 * Creates or edits a metric. `locked` (the metric is priced by a plan): how usage is measured no longer changes, so
 * code, aggregation, field and recurrence are shown read-only and sent as they are.
 */
export function MetricForm({ action, defaults = {}, submitLabel, locked = false }: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  defaults?: FormValues;
  submitLabel: string;
  locked?: boolean;
}) {
  const [state, formAction] = useActionState(action, IDLE_FORM);
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <CatalogIdentityFields state={state} defaults={defaults} locked={locked} codeHint="Letters, digits and _ . : - ; the apps send it with their usage." />
      {locked ? (
        <div className="rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-700">
          Priced by a plan: aggregation <strong>{AGGREGATION_LABELS[defaults.aggregation as AggregationType]}</strong>
          {defaults.field_name ? <> of <code>{defaults.field_name}</code></> : null}
          {defaults.recurring === "on" ? ", recurring" : null} no longer changes.
          <input type="hidden" name="aggregation" value={defaults.aggregation} />
          <input type="hidden" name="field_name" value={defaults.field_name ?? ""} />
          {defaults.recurring === "on" ? <input type="hidden" name="recurring" value="on" /> : null}
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField label="Aggregation" name="aggregation" state={state} defaults={{ aggregation: "count", ...defaults }}
            options={Object.entries(AGGREGATION_LABELS).map(([value, label]) => ({ value, label }))} />
          <TextField label="Field name" name="field_name" state={state} defaults={defaults}
            hint="The event property aggregated; not used by a count." />
          <CheckboxField label="Recurring (usage carries over from one period to the next)" name="recurring" state={state} defaults={defaults} />
        </div>
      )}
      <SubmitButton>{submitLabel}</SubmitButton>
    </form>
  );
}
