"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import { FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";

export function BillingDetailsForm({ action, defaults }: { action: (state: FormState, formData: FormData) => Promise<FormState>; defaults: FormValues }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  const field = (label: string, name: string, hint?: string) => <TextField label={label} name={name} state={state} defaults={defaults} hint={hint} />;
  return (
    <form action={formAction} className="max-w-3xl space-y-4" noValidate>
      <FormMessage state={state} />
      {field("Name on invoices", "legal_name")}
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Billing address</legend>
        {field("Address line 1", "address_line1")}
        {field("Address line 2", "address_line2")}
        {field("City", "city")}
        {field("Province", "province", "Code, e.g. ON or QC; sets the sales tax.")}
        {field("Postal code", "postal_code")}
        {field("Country", "country", "Two letters, e.g. CA.")}
      </fieldset>
      {field("Tax number", "tax_identification_number", "Your GST/HST or business number, printed on invoices.")}
      <SubmitButton>Save billing details</SubmitButton>
    </form>
  );
}
