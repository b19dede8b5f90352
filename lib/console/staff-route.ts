import { ActionRefusedError, authorizeStaff } from "@/lib/auth/staff-action";
import type { StaffRole, StaffSession } from "@/lib/auth/staff-session";
import { ApiError, handleApiErrors } from "@/lib/api/errors";

/**
 * A console route handler (a CSV download) for staff of at least `role`: 401 `unauthenticated` without a session,
 * 403 `role_required` below the role, Lago-shaped errors for bad parameters (422 `validation_errors`), never a 500
 * body with internals.
 */
export function staffRoute(role: StaffRole, handler: (request: Request, staff: StaffSession) => Promise<Response>) {
  return (request: Request) =>
    handleApiErrors(async () => {
      let staff: StaffSession;
      try {
        staff = await authorizeStaff(role);
      } catch (error) {
        if (!(error instanceof ActionRefusedError)) throw error;
        throw new ApiError(error.refusal.code === "unauthenticated" ? 401 : 403, error.refusal.code, undefined, error.refusal.message);
      }
      return handler(request, staff);
    });
}
