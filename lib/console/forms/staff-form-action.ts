import { revalidatePath } from "next/cache";

// Console actions are built with staffAction / staffCommand (lib/auth/staff-action.ts), each declaring its role.

/**
 * After a change: the console's pages all read the database on each request, so revalidating the layout makes the page
 * the action came from (and any other console page in the router's cache) show the change.
 */
export function refreshConsole(): void {
  revalidatePath("/console", "layout");
}
