"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { FormMessage, SubmitButton, TextAreaField, TextField } from "@/components/forms/form-fields";

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
