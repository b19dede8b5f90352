import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { testDb } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { repositoryRoot, serverActionModules } from "../support/server-action-modules";
import { staffSession } from "../support/staff-sign-in";

/**
 * The same walk as server-action-roles.test.ts, over real HTTP against the production build the suite serves: every
 * server action the build knows (its server-reference manifest) is called the way React calls it — a POST to a page
 * that uses it with the `Next-Action` header and the arguments encoded as React encodes them — by an anonymous
 * visitor, by a viewer and by a portal-less staff session, and must answer the pipeline's refusal without writing.
 */

interface ManifestEntry {
  workers: Record<string, unknown>;
  exportedName?: string;
  filename?: string;
}

const FAKE_ID = "00000000-0000-4000-8000-000000000002";

function buildActions(): { id: string; page: string; name: string; file: string }[] {
  const manifest = JSON.parse(readFileSync(path.join(repositoryRoot, ".next/server/server-reference-manifest.json"), "utf8")) as { node: Record<string, ManifestEntry> };
  return Object.entries(manifest.node).map(([id, entry]) => {
    const worker = Object.keys(entry.workers).find((w) => w.startsWith("app/")) ?? Object.keys(entry.workers)[0];
    const page = worker
      .replace(/^app/, "")
      .replace(/\/page$/, "")
      .split("/")
      .filter((segment) => !/^\(.*\)$/.test(segment))
      .map((segment) => (/^\[.*\]$/.test(segment) ? FAKE_ID : segment))
      .join("/");
    return { id, page: page || "/", name: entry.exportedName ?? "?", file: entry.filename ?? "?" };
  });
}

/** The body React's encodeReply makes for (id, previous state, FormData): the arguments in part 0, the form's fields in part 1. */
function encodedArguments(bound: unknown[]): FormData {
  const body = new FormData();
  body.set("0", JSON.stringify([...bound, { status: "idle", message: null, fieldErrors: {}, values: {} }, "$K1"]));
  for (const [key, value] of Object.entries({ code: "x", name: "x", amount: "1", invoiceId: FAKE_ID, email: "a@b.example", role: "admin" })) body.set(`1_${key}`, value);
  return body;
}

async function callAction(action: { id: string; page: string }, cookies: string | null, bound: unknown[] = [FAKE_ID]): Promise<{ status: number; text: string }> {
  const res = await fetch(`${testEnv.baseUrl}${action.page}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Next-Action": action.id, Accept: "text/x-component", ...(cookies ? { Cookie: cookies } : {}) },
    body: encodedArguments(bound),
  });
  return { status: res.status, text: await res.text() };
}

const writesSoFar = async () => {
  const [audit, runs, creditNotes, staff] = await Promise.all([
    testDb().auditLog.count(), testDb().billingRun.count(), testDb().creditNote.count(), testDb().staffUser.count(),
  ]);
  return { audit, runs, creditNotes, staff };
};

let actions: ReturnType<typeof buildActions>;
let viewer: Awaited<ReturnType<typeof staffSession>>;

beforeAll(async () => {
  actions = buildActions();
  viewer = await staffSession("viewer");
});

describe("server actions over HTTP", () => {
  it("the build holds every action of every \"use server\" module", () => {
    const built = new Set(actions.map((a) => a.file));
    for (const file of serverActionModules()) expect([...built].some((f) => f.endsWith(file)), `${file} is not in the build: run next build`).toBe(true);
    expect(actions.length).toBeGreaterThan(25);
  });

  it("refuses anonymous callers and viewers every action, and writes nothing", async () => {
    const before = await writesSoFar();
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
    const after = await writesSoFar();
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
