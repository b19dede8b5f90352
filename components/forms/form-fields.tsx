"use client";

import { useId, type ReactNode } from "react";
import { useFormStatus } from "react-dom";
import type { FormState, FormValues } from "@/lib/console/forms/form-state";

/**
 * Inputs for the console's server-action forms. Each shows its own messages from the action's state, and after a refused
 * submission shows what was typed (React resets uncontrolled inputs to their default value after every action).
 */
export const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm focus:border-slate-900 focus:outline-none aria-[invalid=true]:border-red-500";

/** The value an input starts with: what was just refused, else the saved value. */
export function initialValue(state: FormState<unknown>, defaults: FormValues, name: string): string {
  return state.status === "refused" ? (state.values[name] ?? "") : (defaults[name] ?? "");
}

export function FieldErrors({ id, messages }: { id: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700">
      {messages.join(" ")}
    </p>
  );
}

interface FieldProps {
  label: string;
  name: string;
  state: FormState<unknown>;
  hint?: string;
  className?: string;
}

/** Label, control and messages; `control` receives the props that tie the input to its label and messages. */
export function Field({ label, name, state, hint, className, control }: FieldProps & {
  control: (props: { id: string; name: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const errors = state.fieldErrors[name];
  const described = [errors?.length ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">{label}</label>
      {control({ id, name, "aria-invalid": Boolean(errors?.length), "aria-describedby": described })}
      {hint ? <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldErrors id={`${id}-error`} messages={errors} />
    </div>
  );
}

export function TextField({ defaults = {}, type = "text", placeholder, readOnly, ...props }: FieldProps & {
  defaults?: FormValues;
  type?: string;
  placeholder?: string;
  readOnly?: boolean;
}) {
  return (
    <Field {...props} control={(input) => (
      <input {...input} type={type} placeholder={placeholder} readOnly={readOnly} className={inputClass}
        defaultValue={initialValue(props.state, defaults, props.name)} />
    )} />
  );
}

export function TextAreaField({ defaults = {}, ...props }: FieldProps & { defaults?: FormValues }) {
  return (
    <Field {...props} control={(input) => (
      <textarea {...input} rows={2} className={inputClass} defaultValue={initialValue(props.state, defaults, props.name)} />
    )} />
  );
}

export function SelectField({ defaults = {}, options, ...props }: FieldProps & {
  defaults?: FormValues;
  options: readonly { value: string; label: string }[];
}) {
  const value = initialValue(props.state, defaults, props.name);
  // React does not carry a changed defaultValue to the options, so the form's reset would restore the first one:
  // a new default mounts a new select.
  return (
    <Field {...props} control={(input) => (
      <select key={value} {...input} className={inputClass} defaultValue={value}>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    )} />
  );
}

export function CheckboxField({ label, name, state, defaults = {}, hint }: FieldProps & { defaults?: FormValues }) {
  const id = useId();
  const errors = state.fieldErrors[name];
  return (
    <div>
      <label htmlFor={id} className="flex items-center gap-2 text-sm font-medium">
        <input id={id} name={name} type="checkbox" className="h-4 w-4" aria-invalid={Boolean(errors?.length)}
          aria-describedby={errors?.length ? `${id}-error` : undefined}
          defaultChecked={initialValue(state, defaults, name) === "on"} />
        {label}
      </label>
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldErrors id={`${id}-error`} messages={errors} />
    </div>
  );
}

/** The form's outcome: what was saved, or why nothing was. */
export function FormMessage({ state }: { state: FormState<unknown> }) {
  const general = state.fieldErrors.form;
  if (!state.message && !general) return null;
  const refused = state.status === "refused";
  return (
    <div role={refused ? "alert" : "status"}
      className={`rounded-md px-3 py-2 text-sm ${refused ? "bg-red-50 text-red-800" : "bg-emerald-50 text-emerald-800"}`}>
      {state.message}
      {general ? <span> {general.join(" ")}</span> : null}
    </div>
  );
}

export function SubmitButton({ children, pendingLabel = "Saving…", tone = "primary" }: { children: ReactNode; pendingLabel?: string; tone?: "primary" | "danger" }) {
  const { pending } = useFormStatus();
  const colours = tone === "danger" ? "bg-red-700 hover:bg-red-600" : "bg-slate-900 hover:bg-slate-700";
  return (
    <button type="submit" disabled={pending} className={`rounded-md px-4 py-1.5 text-sm font-medium text-white disabled:opacity-60 ${colours}`}>
      {pending ? pendingLabel : children}
    </button>
  );
}
