"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import { FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";

export function DunningCampaignForm({ action, defaults }: { action: (state: FormState, formData: FormData) => Promise<FormState>; defaults: FormValues }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Name" name="name" state={state} defaults={defaults} />
        <TextField label="Retry on days" name="retry_days" state={state} defaults={defaults} hint="Days after the first failed charge, e.g. 1, 3, 7. A reminder e-mail goes out after each failure." />
        <TextField label="Suspend on day" name="suspend_after_days" state={state} defaults={defaults} hint="On or after the last retry day. The app gets subscription.suspended." />
      </div>
      <SubmitButton>Save campaign</SubmitButton>
    </form>
  );
}
