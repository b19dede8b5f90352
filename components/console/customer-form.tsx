"use client";

import { useActionState, type ReactNode } from "react";
import { IDLE_FORM, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import { CheckboxField, FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";

/** The customer's own fields: billing address, currency, timezone and tax exemption. */
export function CustomerForm({ action, defaults, leading, submitLabel = "Save customer" }: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  defaults: FormValues;
  /** Fields shown first (the service and account id of a new customer). */
  leading?: (state: FormState) => ReactNode;
  submitLabel?: string;
}) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  const field = (label: string, name: string, hint?: string) => <TextField label={label} name={name} state={state} defaults={defaults} hint={hint} />;
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <FormMessage state={state} />
      {leading?.(state)}
      <div className="grid gap-4 sm:grid-cols-2">
        {field("Legal name", "legal_name")}
        {field("Billing e-mail", "email")}
      </div>
      <fieldset className="grid gap-4 sm:grid-cols-3">
        <legend className="mb-2 text-sm font-semibold">Billing address</legend>
        {field("Address line 1", "address_line1")}
        {field("Address line 2", "address_line2")}
        {field("City", "city")}
        {field("Province", "province", "Code, e.g. ON or QC; drives Canadian tax.")}
        {field("Postal code", "postal_code")}
        {field("Country", "country", "Two letters, e.g. CA.")}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-3">
        {field("Currency", "currency", "Fixed once the customer has subscriptions or invoices.")}
        {field("Timezone", "timezone", "Invoices and dates are shown in it, e.g. America/Toronto.")}
        {field("Tax identification number", "tax_identification_number")}
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <CheckboxField label="Tax exempt" name="tax_exempt" state={state} defaults={defaults} />
        {field("Tax exemption number", "tax_exemption_number", "Required when tax exempt.")}
      </div>
      <SubmitButton>{submitLabel}</SubmitButton>
    </form>
  );
}
