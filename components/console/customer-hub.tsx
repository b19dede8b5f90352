"use client";

import { useActionState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { ConfirmAction } from "@/components/forms/confirm-action";
import { FormMessage, SelectField, SubmitButton, TextAreaField, TextField } from "@/components/forms/form-fields";
import { CustomerForm } from "./customer-form";

type FormAction = (state: FormState, formData: FormData) => Promise<FormState>;
interface Option { value: string; label: string }

/** A new customer: the service and the account id it knows the customer by, then the customer's own fields. */
export function NewCustomerForm({ action, services }: { action: FormAction; services: Option[] }) {
  return (
    <CustomerForm action={action} submitLabel="Create customer" defaults={{ currency: "CAD", timezone: "America/Toronto", country: "CA" }}
      leading={(state) => (
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField label="Service" name="service_id" state={state} defaults={{}} options={[{ value: "", label: "Choose a service…" }, ...services]} />
          <TextField label="Account id in the service" name="external_id" state={state} hint="The id the service's app uses for this customer (Lago's external_id)." />
        </div>
      )} />
  );
}

/** Starts a subscription on one of the customer's service accounts. */
export function StartSubscriptionForm({ action, accounts, plans }: { action: FormAction; accounts: Option[]; plans: Option[] }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  if (accounts.length === 0) return <p className="text-sm text-slate-500">Link a service account first: subscriptions belong to a service.</p>;
  return (
    <form action={formAction} className="space-y-3" noValidate aria-label="Start a subscription">
      <FormMessage state={state} />
      <div className="grid gap-4 sm:grid-cols-4">
        <SelectField label="Service account" name="account_link_id" state={state} defaults={{ account_link_id: accounts[0].value }} options={accounts} />
        <SelectField label="Plan" name="plan_code" state={state} defaults={{}} options={[{ value: "", label: "Choose a plan…" }, ...plans]} />
        <TextField label="Subscription id" name="external_id" state={state} hint="The service's id for it (Lago's external_id)." />
        <TextField label="Start date" name="start_date" type="date" state={state} hint="Empty: now." />
      </div>
      <SubmitButton>Start subscription</SubmitButton>
    </form>
  );
}

/** A subscription's negotiated base fee (a plan override: only this subscription is billed at it). */
export function NegotiatedPriceForm({ externalId, action, current, currency }: { externalId: string; action: FormAction; current: string; currency: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-2" aria-label={`Negotiated price of ${externalId}`} noValidate>
      <FormMessage state={state} />
      <div className="flex flex-wrap items-end gap-2">
        <TextField label={`Negotiated fee of ${externalId} (${currency} per period)`} name="amount" state={state} defaults={{ amount: current }}
          hint="This subscription only; the plan's list price and its later changes no longer apply to it." />
        <SubmitButton>Set negotiated fee</SubmitButton>
      </div>
    </form>
  );
}

/** Per running subscription: move it to another plan, or end it. */
export function SubscriptionActions({ externalId, currentPlan, plans, changeAction, terminateAction }: {
  externalId: string;
  currentPlan: string | null;
  plans: Option[];
  changeAction: FormAction;
  terminateAction: FormAction;
}) {
  const [changed, change] = useActionState(changeAction, IDLE_FORM as FormState);
  const [ended, terminate, terminating] = useActionState(terminateAction, IDLE_FORM as FormState);
  return (
    <div className="space-y-2">
      <FormMessage state={changed.status === "idle" ? ended : changed} />
      <div className="flex flex-wrap items-end gap-2">
        <form action={change} className="flex items-end gap-2" aria-label={`Change the plan of ${externalId}`} noValidate>
          <SelectField label={`New plan for ${externalId}`} name="plan_code" state={changed} defaults={{ plan_code: currentPlan ?? "" }} options={plans} className="min-w-48" />
          <SubmitButton>Change plan</SubmitButton>
        </form>
        <ConfirmAction label="Terminate" action={terminate} pending={terminating} confirmLabel="Yes, terminate"
          question={<>End <strong>{externalId}</strong> now? The used part of the period is billed at the next run.</>} />
      </div>
    </div>
  );
}

/** Suspend (with a reason) or resume a running subscription; a suspension for an unpaid invoice is lifted by payment. */
export function SuspensionForm({ externalId, suspended, suspendAction, resumeAction }: {
  externalId: string;
  suspended: { by: string | null; reason: string | null; since: string } | null;
  suspendAction: FormAction;
  resumeAction: FormAction;
}) {
  const resuming = suspended !== null;
  const [state, formAction] = useActionState(resuming ? resumeAction : suspendAction, IDLE_FORM as FormState);
  if (suspended && suspended.by !== "staff") {
    return <p className="text-sm text-rose-800">Suspended since {suspended.since} for an unpaid invoice: it resumes when the invoice is paid.</p>;
  }
  return (
    <form action={formAction} className="space-y-2" noValidate aria-label={`${resuming ? "Resume" : "Suspend"} ${externalId}`}>
      <FormMessage state={state} />
      {suspended ? <p className="text-sm text-rose-800">Suspended since {suspended.since}{suspended.reason ? `: ${suspended.reason}` : ""}.</p> : null}
      <TextAreaField label={resuming ? `Why resume ${externalId}` : `Why suspend ${externalId}`} name="reason" state={state}
        hint={resuming ? "Billing and usage start again today." : "The app is told at once; usage is refused and the suspended days are not billed."} />
      <SubmitButton>{resuming ? "Resume subscription" : "Suspend subscription"}</SubmitButton>
    </form>
  );
}
