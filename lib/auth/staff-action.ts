import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { refusedForm } from "@/lib/console/forms/field-messages";
import { formValues, type FormState, type FormValues } from "@/lib/console/forms/form-state";
import { currentCustomer } from "./customer-session";
import { currentStaff, type StaffRole, type StaffSession } from "./staff-session";

/**
 * The one pipeline every server action goes through. Each action declares who may call it — a staff role
 * (`admin` > `finance` > `viewer`) or the signed-in portal customer — and the pipeline checks that before it reads a
 * single argument, then parses the input with the action's schema, runs it, and turns zod and domain errors into the
 * answer the page shows. Every action built here is recorded with its declared access (`declaredAccess`), which is how
 * tests/security/server-actions.test.ts proves that every exported action of every "use server" module has one.
 */

const RANK: Record<StaffRole, number> = { viewer: 0, finance: 1, admin: 2 };

/** True when a member with role `has` may do what needs `needs` (admin > finance > viewer). */
export function roleAllows(has: StaffRole, needs: StaffRole): boolean {
  return RANK[has] >= RANK[needs];
}

export type ActionAccess = { kind: "staff"; role: StaffRole } | { kind: "customer" };

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const registry = new WeakMap<Function, ActionAccess>();

/** The access an action was declared with, or undefined for a function that did not come through this pipeline. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function declaredAccess(action: Function): ActionAccess | undefined {
  return registry.get(action);
}

/** Why the pipeline refused a caller before running anything. `code` is machine-readable (tests and logs use it). */
export interface Refusal {
  code: "unauthenticated" | "role_required" | "customer_required";
  message: string;
}

export class ActionRefusedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
    this.name = "ActionRefusedError";
  }
}

const ROLE_WORDS: Record<StaffRole, string> = { viewer: "a viewer", finance: "finance", admin: "an administrator" };

/** The signed-in staff member when their role is at least `role`; otherwise the refusal. */
export async function authorizeStaff(role: StaffRole): Promise<StaffSession> {
  const staff = await currentStaff();
  if (!staff) throw new ActionRefusedError({ code: "unauthenticated", message: "Your session has ended: sign in again." });
  if (!roleAllows(staff.role, role)) {
    throw new ActionRefusedError({
      code: "role_required",
      message: staff.role === "viewer" ? `Your role only lets you view: this needs ${ROLE_WORDS[role]}. Ask an administrator.` : `This needs ${ROLE_WORDS[role]}: ask an administrator.`,
    });
  }
  return staff;
}

/** The customer signed in to the portal; staff sessions and anonymous callers are refused. */
export async function authorizeCustomer(invoiceId?: string): Promise<string> {
  const customer = await currentCustomer({ invoiceId });
  if (!customer) throw new ActionRefusedError({ code: "customer_required", message: "Sign in to the portal to do this." });
  return customer.customerId;
}

export interface StaffPolicy<A extends z.ZodTuple = z.ZodTuple<[]>> {
  role: StaffRole;
  /** Schema of the arguments bound on the server page (`action.bind(null, code)`), checked like any other input. */
  args?: A;
}

export interface StaffFormOutcome<R> {
  message: string;
  result?: R;
}

export interface StaffContext<Args> {
  staff: StaffSession;
  /** The bound arguments, parsed. */
  args: Args;
  /** The submitted text inputs (what a refused form shows again). */
  values: FormValues;
}

/** For actions that take no form fields (a confirm button). */
export const noFields = z.object({});

const refusedState = <R>(values: FormValues, message: string, code?: string): FormState<R> => ({ status: "refused", message, fieldErrors: {}, values, ...(code ? { code } : {}) });

/**
 * A console form action (`useActionState`): `(...boundArgs, previousState, formData) => FormState`. The role is
 * checked first; the form's text inputs are parsed with `schema`; zod and domain errors come back as field messages;
 * anything unexpected is logged and reported as nothing saved (each domain call is one transaction, so that is true).
 * Next.js's own signals (redirect) pass through.
 */
export function staffAction<S extends z.ZodType, R = undefined, A extends z.ZodTuple = z.ZodTuple<[]>>(
  policy: StaffPolicy<A>,
  schema: S,
  run: (input: z.infer<S>, context: StaffContext<z.infer<A>>) => Promise<StaffFormOutcome<R>>,
): (...args: [...z.infer<A>, FormState<R>, FormData]) => Promise<FormState<R>> {
  const action = async (...args: unknown[]): Promise<FormState<R>> => {
    const formData = args[args.length - 1];
    const values = formData instanceof FormData ? formValues(formData) : {};
    try {
      const staff = await authorizeStaff(policy.role);
      if (!(formData instanceof FormData)) throw new DomainError("invalid", "validation_errors", { form: ["value_is_invalid"] }, "This form was not submitted as a form.");
      const bound = (policy.args ?? z.tuple([])).parse(args.slice(0, -2)) as z.infer<A>;
      const input = schema.parse(values) as z.infer<S>;
      const outcome = await run(input, { staff, args: bound, values });
      return { status: "saved", message: outcome.message, fieldErrors: {}, values: {}, result: outcome.result };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof ActionRefusedError) return refusedState(values, error.refusal.message, error.refusal.code);
      if (error instanceof z.ZodError || error instanceof DomainError) return refusedForm(values, error);
      console.error("Console action failed", error);
      return refusedState(values, "Something went wrong and nothing was saved. Try again.");
    }
  };
  registry.set(action, { kind: "staff", role: policy.role });
  return action as (...args: [...z.infer<A>, FormState<R>, FormData]) => Promise<FormState<R>>;
}

/** What a console button answers when it is not a form (`{ ok, message }`, shown beside it). */
export interface ActionResult {
  ok: boolean;
  message: string;
  /** The refusal code when the pipeline refused the caller. */
  code?: string;
  fieldErrors?: Record<string, string>;
}

/**
 * A console button action that answers `ActionResult`: the same pipeline (role first, then the arguments parsed with
 * `schema`, a tuple), for buttons that call the action directly rather than submit a form.
 */
export function staffCommand<S extends z.ZodTuple, Out extends ActionResult>(
  policy: { role: StaffRole },
  schema: S,
  run: (input: z.infer<S>, context: { staff: StaffSession }) => Promise<Out>,
): (...args: z.input<S>) => Promise<Out | ActionResult> {
  const action = async (...args: unknown[]): Promise<Out | ActionResult> => {
    try {
      const staff = await authorizeStaff(policy.role);
      const input = schema.parse(args) as z.infer<S>;
      return await run(input, { staff });
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof ActionRefusedError) return { ok: false, message: error.refusal.message, code: error.refusal.code };
      if (error instanceof z.ZodError) return { ok: false, message: "This request was not valid: reload the page and try again.", code: "validation_errors" };
      if (error instanceof DomainError) return { ok: false, message: error.message === error.code ? error.code.replace(/_/g, " ") : error.message, code: error.code };
      console.error("Console action failed", error);
      return { ok: false, message: "Something went wrong and nothing was changed. Try again." };
    }
  };
  registry.set(action, { kind: "staff", role: policy.role });
  return action as (...args: z.input<S>) => Promise<Out | ActionResult>;
}

/**
 * A portal action for the signed-in customer: the customer id comes from the session only (never from the request),
 * and every domain call it makes is scoped by it. Anyone else — anonymous callers and staff sessions — is refused.
 */
export function customerAction<Args extends unknown[], Out>(
  run: (customerId: string, ...args: Args) => Promise<Out>,
  refused: (refusal: Refusal) => Out,
): (...args: Args) => Promise<Out> {
  const action = async (...args: Args): Promise<Out> => {
    let customerId: string;
    try {
      customerId = await authorizeCustomer();
    } catch (error) {
      if (error instanceof ActionRefusedError) return refused(error.refusal);
      throw error;
    }
    return run(customerId, ...args);
  };
  registry.set(action, { kind: "customer" });
  return action;
}

/**
 * customerAction for an action on one invoice, whose id is the first argument: a session opened by that invoice's pay
 * link may run it too (lib/portal/invoice-pay-link.ts); the domain call must still be scoped by the customer id.
 */
export function customerInvoiceAction<Rest extends unknown[], Out>(
  run: (customerId: string, invoiceId: string, ...args: Rest) => Promise<Out>,
  refused: (refusal: Refusal) => Out,
): (invoiceId: string, ...args: Rest) => Promise<Out> {
  const action = async (invoiceId: string, ...args: Rest): Promise<Out> => {
    let customerId: string;
    try {
      customerId = await authorizeCustomer(typeof invoiceId === "string" ? invoiceId : undefined);
    } catch (error) {
      if (error instanceof ActionRefusedError) return refused(error.refusal);
      throw error;
    }
    return run(customerId, invoiceId, ...args);
  };
  registry.set(action, { kind: "customer" });
  return action;
}
