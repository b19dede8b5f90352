"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/forms/form-fields";

type Action = (state: FormState, formData: FormData) => Promise<FormState>;

const KINDS = [
  { value: "granted", label: "Grant free credits" },
  { value: "paid", label: "Sell credits (credit invoice, charged to the card on file)" },
  { value: "voided", label: "Void credits" },
];

/** Top-up, grant or void credits of one wallet. */
export function WalletTransactionForm({ action, label }: { action: Action; label: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="grid gap-3 sm:grid-cols-4 sm:items-end" noValidate aria-label={`Credits of ${label}`}>
      <div className="sm:col-span-4"><FormMessage state={state} /></div>
      <SelectField label="Action" name="kind" state={state} options={KINDS} defaults={{ kind: "granted" }} />
      <TextField label="Credits" name="credits" state={state} placeholder="100" />
      <TextField label="Description" name="name" state={state} hint="Optional, shown on the transaction." />
      <SubmitButton pendingLabel="Saving…">Record</SubmitButton>
    </form>
  );
}

export function TerminateWalletForm({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-2" noValidate aria-label="Terminate wallet">
      <FormMessage state={state} />
      <SubmitButton tone="danger" pendingLabel="Terminating…">Terminate wallet (void remaining credits)</SubmitButton>
    </form>
  );
}
