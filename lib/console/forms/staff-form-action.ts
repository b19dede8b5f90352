import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { requireStaffAction, UnauthorizedError, type StaffSession } from "@/lib/auth/staff-session";
import { DomainError } from "@/lib/errors";
import { formValues, refusedForm, type FormState, type FormValues } from "./form-state";

export interface StaffFormOutcome<R> {
  message: string;
  result?: R;
}

/**
 * The body of every console server action: `requireStaffAction()` first, then `run`, whose zod and domain errors come
 * back as form state (field messages) rather than as a failed request. Anything unexpected is logged and reported as
 * nothing saved — each domain call is one transaction, so that is true. Next.js's own signals (redirect) pass through.
 */
export async function runStaffForm<R = undefined>(
  formData: FormData,
  run: (context: { staff: StaffSession; values: FormValues }) => Promise<StaffFormOutcome<R>>,
): Promise<FormState<R>> {
  const values = formValues(formData);
  try {
    const staff = await requireStaffAction();
    const outcome = await run({ staff, values });
    return { status: "saved", message: outcome.message, fieldErrors: {}, values: {}, result: outcome.result };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof z.ZodError || error instanceof DomainError) return refusedForm(values, error);
    if (error instanceof UnauthorizedError) return { status: "refused", message: "Your session has ended: sign in again.", fieldErrors: {}, values };
    console.error("Console action failed", error);
    return { status: "refused", message: "Something went wrong and nothing was saved. Try again.", fieldErrors: {}, values };
  }
}
