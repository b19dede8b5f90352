"use client";

import { useActionState, useState, type ReactNode } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import { FormMessage, SubmitButton } from "./form-fields";

type Dispatch = (formData: FormData) => void;

/**
 * A button that asks before it acts: the first click shows the question and a confirming submit button. `action` is a
 * form action (a `useActionState` dispatcher); `fields` go with it as hidden inputs.
 */
export function ConfirmAction({ label, question, confirmLabel, action, fields = {}, tone = "danger", pending = false }: {
  label: string;
  pending?: boolean;
  question: ReactNode;
  confirmLabel: string;
  action: Dispatch;
  fields?: Record<string, string>;
  tone?: "primary" | "danger";
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" onClick={() => setAsking(true)} disabled={pending}
        className={`rounded-md border px-3 py-1 text-sm disabled:opacity-60 ${tone === "danger" ? "border-red-300 text-red-700 hover:bg-red-50" : "border-slate-300 hover:bg-slate-50"}`}>
        {pending ? "Working…" : label}
      </button>
    );
  }
  return (
    <form action={(formData) => { setAsking(false); action(formData); }} role="group" aria-label={label}
      className="flex flex-wrap items-center gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm">
      {Object.entries(fields).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      <span>{question}</span>
      <SubmitButton tone={tone} pendingLabel="Working…">{confirmLabel}</SubmitButton>
      <button type="button" onClick={() => setAsking(false)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5">Cancel</button>
    </form>
  );
}

/** A confirmed action with its own state: the outcome is shown beside the button. */
export function ConfirmActionForm<R>({ serverAction, ...props }: Omit<Parameters<typeof ConfirmAction>[0], "action"> & {
  serverAction: (state: FormState<R>, formData: FormData) => Promise<FormState<R>>;
}) {
  const [state, dispatch, pending] = useActionState(serverAction, IDLE_FORM as FormState<R>);
  return (
    <div className="space-y-2">
      <ConfirmAction {...props} action={dispatch} pending={pending} />
      <FormMessage state={state} />
    </div>
  );
}
