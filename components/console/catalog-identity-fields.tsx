"use client";

import type { FormState, FormValues } from "@/lib/console/forms/form-state";
import { TextAreaField, TextField } from "@/components/forms/form-fields";

/** Name, code and description: how metrics and plans are named. A locked code is shown but no longer changes. */
export function CatalogIdentityFields({ state, defaults, locked, codeHint }: {
  state: FormState<unknown>;
  defaults: FormValues;
  locked: boolean;
  codeHint: string;
}) {
  return (
    <>
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Name" name="name" state={state} defaults={defaults} />
        <TextField label="Code" name="code" state={state} defaults={defaults} readOnly={locked} hint={codeHint} />
      </div>
      <TextAreaField label="Description" name="description" state={state} defaults={defaults} />
    </>
  );
}
