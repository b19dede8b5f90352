"use client";

import { useActionState, useId, useState } from "react";
import { IDLE_FORM, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import { CheckboxField, FieldErrors, FormMessage, SubmitButton, TextAreaField, TextField } from "@/components/forms/form-fields";

export function CompanyProfileForm({ action, defaults, hasLogo, canEdit }: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  defaults: FormValues;
  hasLogo: boolean;
  canEdit: boolean;
}) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  const logoId = useId();
  const [logoData, setLogoData] = useState("");
  return (
    <form action={formAction} className="space-y-6" noValidate>
      <FormMessage state={state} />
      {!canEdit ? <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600">Only an administrator can change the company profile.</p> : null}
      <fieldset disabled={!canEdit} className="space-y-6">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Legal name" name="legal_name" state={state} defaults={defaults} />
          <TextField label="Billing e-mail" name="email" type="email" state={state} defaults={defaults} />
          <TextField label="Address line 1" name="address_line1" state={state} defaults={defaults} />
          <TextField label="Address line 2" name="address_line2" state={state} defaults={defaults} />
          <TextField label="City" name="city" state={state} defaults={defaults} />
          <TextField label="Province" name="province" state={state} defaults={defaults} hint="Two letters, e.g. ON." />
          <TextField label="Postal code" name="postal_code" state={state} defaults={defaults} />
          <TextField label="Country" name="country" state={state} defaults={defaults} />
        </div>
        <div>
          <h2 className="text-lg font-semibold">Tax registrations</h2>
          <p className="text-sm text-slate-600">A sales tax is charged only where a registration number is set.</p>
          <div className="mt-3 grid gap-4 sm:grid-cols-3">
            <TextField label="GST/HST number" name="gst_hst_number" state={state} defaults={defaults} placeholder="123456789 RT0001" />
            <TextField label="QST number" name="qst_number" state={state} defaults={defaults} placeholder="1234567890 TQ0001" />
            <TextField label="BC PST number" name="bc_pst_number" state={state} defaults={defaults} />
            <TextField label="Manitoba RST number" name="mb_rst_number" state={state} defaults={defaults} />
            <TextField label="Saskatchewan PST number" name="sk_pst_number" state={state} defaults={defaults} />
          </div>
        </div>
        <div>
          <h2 className="text-lg font-semibold">Invoices</h2>
          <div className="mt-3 grid gap-4 sm:grid-cols-2">
            <TextField label="Default payment terms (days)" name="default_payment_term_days" state={state} defaults={defaults}
              hint="For customers without their own terms." />
            <TextField label="Invoice grace period (days)" name="invoice_grace_period_days" state={state} defaults={defaults}
              hint="Invoices stay drafts this long before they are finalized; 0 finalizes at once." />
            <TextField label="Overdue reminders (days after the due date)" name="overdue_reminder_days" state={state} defaults={defaults}
              hint="E-mailed to customers without a card on file, e.g. 1, 7, 14, 30; empty sends none." />
          </div>
          <TextAreaField label="Invoice footer" name="invoice_footer" state={state} defaults={defaults} className="mt-4"
            hint="Printed at the bottom of invoices and credit notes, e.g. how to pay by EFT or cheque." />
        </div>
        <div>
          <h2 className="text-lg font-semibold">Journal account codes</h2>
          <TextAreaField label="Accounts that differ from the defaults" name="journal_accounts" state={state} defaults={defaults}
            hint="One per line, key = account: ar, cash, stripe_clearing, revenue, revenue.<service code>, tax.GST, tax.HST, tax.QST, tax.BC_PST, tax.MB_RST, tax.SK_PST. E.g. revenue.nexachat = 4010 Chat revenue." />
        </div>
        <div>
          <h2 className="text-lg font-semibold">Logo</h2>
          {hasLogo ? (
            // eslint-disable-next-line @next/next/no-img-element -- served by our own route, staff only
            <img src="/console/settings/logo" alt="Current logo" className="mt-2 max-h-12" />
          ) : <p className="text-sm text-slate-600">No logo: documents print the legal name only.</p>}
          <label htmlFor={logoId} className="mt-3 block text-sm font-medium">Upload a logo (PNG or JPEG, at most 512 KB)</label>
          <input id={logoId} type="file" accept="image/png,image/jpeg" className="mt-1 block text-sm" aria-invalid={Boolean(state.fieldErrors.logo?.length)}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (!file) return setLogoData("");
              const reader = new FileReader();
              reader.onload = () => setLogoData(typeof reader.result === "string" ? reader.result : "");
              reader.readAsDataURL(file);
            }} />
          <input type="hidden" name="logo_data" value={logoData} />
          <FieldErrors id={`${logoId}-error`} messages={state.fieldErrors.logo} />
          {hasLogo ? <div className="mt-2"><CheckboxField label="Remove the logo" name="remove_logo" state={state} /></div> : null}
        </div>
        {canEdit ? <SubmitButton>Save company profile</SubmitButton> : null}
      </fieldset>
    </form>
  );
}
