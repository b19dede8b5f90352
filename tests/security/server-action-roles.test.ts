import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { StaffRole, StaffSession } from "@/lib/auth/staff-session";
import type { CustomerSession } from "@/lib/auth/customer-session";
import { inlineServerActionFiles, serverActionModules, repositoryRoot } from "../support/server-action-modules";

/**
 * Every exported server action of every "use server" module (found from the source tree, so a new module or a new
 * export is walked without touching this file) must come through lib/auth/staff-action.ts with a declared access, and
 * must refuse — before it reads its arguments or touches the database — callers without that access.
 *
 * The session resolvers are the seam: the test decides who is signed in; the database client throws if an action
 * reaches it. tests/security/server-actions-http.test.ts does the same walk over real HTTP against the running build.
 */

const session: { staff: StaffSession | null; customer: CustomerSession | null } = { staff: null, customer: null };

vi.mock("@/lib/auth/staff-session", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/staff-session")>()),
  currentStaff: async () => session.staff,
}));
vi.mock("@/lib/auth/customer-session", () => ({ currentCustomer: async () => session.customer }));
vi.mock("@/lib/db/prisma", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/db/prisma")>()),
  db: () => {
    throw new Error("database stand-in: an action got past its access check");
  },
}));

const { declaredAccess, roleAllows } = await import("@/lib/auth/staff-action");

interface Action {
  name: string;
  fn: (...args: unknown[]) => Promise<unknown>;
}

const modules = serverActionModules();
const actions: Action[] = [];

const staffAs = (role: StaffRole): StaffSession => ({ id: "00000000-0000-4000-8000-000000000001", email: `${role}@nexa.example`, name: role, role });

/** Arguments of every shape an action might take: bound ids, a previous state and a form with plausible fields. */
function hostileArguments(): unknown[] {
  const form = new FormData();
  for (const [k, v] of Object.entries({ code: "x", name: "x", amount: "1", invoiceId: "00000000-0000-4000-8000-000000000002", email: "a@b.example", role: "admin" })) form.set(k, v);
  return ["00000000-0000-4000-8000-000000000002", { status: "idle", message: null, fieldErrors: {}, values: {} }, form];
}

/** The refusal code an action answered with (every answer shape of the pipeline carries one). */
function refusalCode(answer: unknown): string | undefined {
  return (answer as { code?: string } | null)?.code;
}

beforeAll(async () => {
  // Callers the pipeline lets through reach the database stand-in, which throws; the pipeline logs that.
  vi.spyOn(console, "error").mockImplementation(() => {});
  for (const file of modules) {
    const exported = (await import(path.join(repositoryRoot, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) actions.push({ name: `${file}#${name}`, fn: value as Action["fn"] });
  }
});

describe("server actions: every one declares who may call it", () => {
  it("finds the server action modules from the source tree", () => {
    expect(modules).toContain("app/console/invoices/actions.ts");
    expect(modules).toContain("app/portal/actions.ts");
    expect(actions.length).toBeGreaterThan(25);
  });

  it("has no inline \"use server\" functions (they would escape this walk): actions live in \"use server\" modules", () => {
    expect(inlineServerActionFiles()).toEqual([]);
  });

  it("every export is a function built by the action pipeline with a declared access", () => {
    const undeclared = actions.filter((a) => typeof a.fn !== "function" || !declaredAccess(a.fn)).map((a) => a.name);
    expect(undeclared, "exports of \"use server\" modules without a declared role (use staffAction/staffCommand/customerAction)").toEqual([]);
  });

  it("console actions need at least finance: a viewer may change nothing", () => {
    const viewerAllowed = actions.filter((a) => {
      const access = declaredAccess(a.fn);
      return access?.kind === "staff" && roleAllows("viewer", access.role);
    });
    expect(viewerAllowed.map((a) => a.name)).toEqual([]);
  });

  it("refuses anonymous callers of every action before anything runs", async () => {
    session.staff = null;
    session.customer = null;
    for (const action of actions) {
      const answer = await action.fn(...hostileArguments());
      const expected = declaredAccess(action.fn)?.kind === "customer" ? "customer_required" : "unauthenticated";
      expect(refusalCode(answer), action.name).toBe(expected);
    }
  });

  it("refuses a viewer every action, and a portal customer every console action", async () => {
    for (const action of actions) {
      const access = declaredAccess(action.fn)!;
      session.staff = staffAs("viewer");
      session.customer = null;
      const asViewer = await action.fn(...hostileArguments());
      expect(refusalCode(asViewer), action.name).toBe(access.kind === "customer" ? "customer_required" : "role_required");
      if (access.kind === "staff") {
        session.staff = null;
        session.customer = { customerId: "00000000-0000-4000-8000-000000000003", name: "C", verifiedEmail: null };
        expect(refusalCode(await action.fn(...hostileArguments())), action.name).toBe("unauthenticated");
      }
    }
  });

  it("refuses finance the administrator-only actions, and lets each role through to the ones it holds", async () => {
    for (const action of actions) {
      const access = declaredAccess(action.fn)!;
      if (access.kind !== "staff") continue;
      for (const role of ["finance", "admin"] as const) {
        session.staff = staffAs(role);
        session.customer = null;
        const code = refusalCode(await action.fn(...hostileArguments()));
        if (roleAllows(role, access.role)) expect(code ?? "", `${action.name} as ${role}`).not.toMatch(/^(role_required|unauthenticated)$/);
        else expect(code, `${action.name} as ${role}`).toBe("role_required");
      }
    }
  });
});
