"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";

export function ServiceForm({ action }: { action: (state: FormState, formData: FormData) => Promise<FormState> }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Name" name="name" state={state} />
        <TextField label="Code" name="code" state={state} hint="Letters, digits and _ . : - ; never changes." />
        <SelectField label="Mode" name="mode" state={state} defaults={{ mode: "shadow" }} options={[
          { value: "shadow", label: "Shadow (billed beside the old system, never charged)" },
          { value: "live", label: "Live" },
        ]} />
      </div>
      <SubmitButton>Create service</SubmitButton>
    </form>
  );
}
