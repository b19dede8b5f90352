import { revalidatePath } from "next/cache";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { requireStaffAction, UnauthorizedError, type StaffSession } from "@/lib/auth/staff-session";
import { DomainError } from "@/lib/errors";
import { refusedForm } from "./field-messages";
import { formValues, type FormState, type FormValues } from "./form-state";

export interface StaffFormOutcome<R> {
  message: string;
  result?: R;
}

const refused = <R>(values: FormValues, message: string): FormState<R> => ({ status: "refused", message, fieldErrors: {}, values });

/**
 * The body of every console server action: `requireStaffAction()` first (viewers, who only read, stop there), then
 * `run`, whose zod and domain errors come back as form state (field messages) rather than as a failed request.
 * Anything unexpected is logged and reported as nothing saved — each domain call is one transaction, so that is true.
 * Next.js's own signals (redirect) pass through.
 */
export async function runStaffForm<R = undefined>(
  formData: FormData,
  run: (context: { staff: StaffSession; values: FormValues }) => Promise<StaffFormOutcome<R>>,
): Promise<FormState<R>> {
  const values = formValues(formData);
  try {
    const staff = await requireStaffAction();
    if (staff.role === "viewer") return refused(values, "Your role only lets you view: ask an administrator.");
    const outcome = await run({ staff, values });
    return { status: "saved", message: outcome.message, fieldErrors: {}, values: {}, result: outcome.result };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof z.ZodError || error instanceof DomainError) return refusedForm(values, error);
    if (error instanceof UnauthorizedError) return refused(values, "Your session has ended: sign in again.");
    console.error("Console action failed", error);
    return refused(values, "Something went wrong and nothing was saved. Try again.");
  }
}

/**
 * After a change: the console's pages all read the database on each request, so revalidating the layout makes the page
 * the action came from (and any other console page in the router's cache) show the change.
 */
export function refreshConsole(): void {
  revalidatePath("/console", "layout");
}
