/**
 * What a console form action answers (React's `useActionState` state): a status, one message for the whole form,
 * messages per field keyed by the input's name (dotted for nested inputs: `charges.0.properties.amount`), and what was
 * submitted so a refused form shows the input again.
 */
export type FieldErrors = Record<string, string[]>;
export type FormValues = Record<string, string>;

export interface FormState<R = undefined> {
  status: "idle" | "saved" | "refused";
  message: string | null;
  fieldErrors: FieldErrors;
  values: FormValues;
  /** Why the action refused the caller before running (`unauthenticated`, `role_required`), when it did. */
  code?: string;
  /** What the action hands back for this response only (a new API key, shown once). */
  result?: R;
}

export const IDLE_FORM: FormState<never> = { status: "idle", message: null, fieldErrors: {}, values: {} };

/** The text inputs of a submitted form (React's own `$ACTION_` entries and files left out). */
export function formValues(formData: FormData): FormValues {
  const values: FormValues = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value === "string" && !key.startsWith("$ACTION_")) values[key] = value;
  }
  return values;
}
