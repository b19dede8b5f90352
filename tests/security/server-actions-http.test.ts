import { beforeAll, describe, expect, it } from "vitest";
import { testDb } from "../support/api-fixture";
import { builtActions, callFormAction, FAKE_ID, type BuiltAction } from "../support/server-action-http";
import { serverActionModules } from "../support/server-action-modules";
import { staffSession } from "../support/staff-sign-in";

/**
 * The same walk as server-action-roles.test.ts, over real HTTP against the production build the suite serves: every
 * server action the build knows (its server-reference manifest) is called the way React calls it — a POST to a page
 * that uses it with the `Next-Action` header and the arguments encoded as React encodes them — by an anonymous
 * visitor, by a viewer and by a portal-less staff session, and must answer the pipeline's refusal without writing.
 */

const HOSTILE_FIELDS = { code: "x", name: "x", amount: "1", invoiceId: FAKE_ID, email: "a@b.example", role: "admin" };
const callAction = (action: BuiltAction, cookies: string | null, bound: unknown[] = [FAKE_ID]) => callFormAction(action, cookies, { bound, fields: HOSTILE_FIELDS });

/** What the viewer's calls could have written (other suites write to the same database meanwhile). */
const writesBy = async (staffId: string) => {
  const [audit, runs] = await Promise.all([
    testDb().auditLog.count({ where: { actorId: staffId } }), testDb().billingRun.count({ where: { requestedById: staffId } }),
  ]);
  return { audit, runs };
};

let actions: BuiltAction[];
let viewer: Awaited<ReturnType<typeof staffSession>>;

beforeAll(async () => {
  actions = builtActions();
  viewer = await staffSession("viewer");
});

describe("server actions over HTTP", () => {
  it("the build holds every action of every \"use server\" module", () => {
    const built = new Set(actions.map((a) => a.file));
    for (const file of serverActionModules()) expect([...built].some((f) => f.endsWith(file)), `${file} is not in the build: run next build`).toBe(true);
    expect(actions.length).toBeGreaterThan(25);
  });

  it("refuses anonymous callers and viewers every action, and writes nothing", async () => {
    const before = await writesBy(viewer.id);
    for (const action of actions) {
      const label = `${action.file}#${action.name} via ${action.page}`;
      const portal = action.page.startsWith("/portal");
      const anonymous = await callAction(action, null);
      expect(anonymous.status, label).toBe(200);
      expect(anonymous.text, label).toContain(portal ? `"code":"customer_required"` : `"code":"unauthenticated"`);
      const asViewer = await callAction(action, viewer.cookies);
      expect(asViewer.status, label).toBe(200);
      expect(asViewer.text, label).toContain(portal ? `"code":"customer_required"` : `"code":"role_required"`);
    }
    const after = await writesBy(viewer.id);
    expect(after).toEqual(before);
  });

  it("lets a member with the role through to the action itself (its own validation answers)", async () => {
    const admin = await staffSession("admin");
    const byName = (name: string) => actions.find((a) => a.name === name)!;
    // A form action: the form arrives as FormData, is parsed, and the domain answers (here: no source configured).
    const connection = await callAction(byName("testConnectionAction"), admin.cookies, []);
    expect(connection.text).not.toMatch(/"code":"(unauthenticated|role_required)"/);
    expect(connection.text).toContain("DSN");
    // A button action: its arguments are checked before anything runs (three where it takes one id: invalid).
    const finalize = await callAction(byName("finalizeInvoiceAction"), admin.cookies);
    expect(finalize.text).toContain(`"code":"validation_errors"`);
  });
});
