import { beforeAll, describe, expect, it } from "vitest";
import { testDb, uniqueSuffix } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { builtAction, callFormAction } from "../support/server-action-http";
import { signInStaff, staffSession } from "../support/staff-sign-in";

/** Staff administration over real HTTP: invitations, role changes and disabling take effect on the next request. */
describe("staff administration", () => {
  let admin: Awaited<ReturnType<typeof staffSession>>;
  beforeAll(async () => {
    admin = await staffSession("admin");
  });

  const setPassword = (fields: Record<string, string>) =>
    fetch(`${testEnv.baseUrl}/api/staff/set-password`, { method: "POST", redirect: "manual", body: new URLSearchParams(fields) });

  it("invites someone: a one-time set-password link, shown to the admin and e-mailed; the member then signs in", async () => {
    const email = `invitee-${uniqueSuffix()}@nexa.example`;
    const answer = await callFormAction(builtAction("inviteStaffAction"), admin.cookies, { bound: [], fields: { email, name: "Invited Person", role: "finance" } });
    const link = /"link":"([^"]+)"/.exec(answer.text)?.[1];
    expect(link, answer.text).toMatch(/\/staff\/set-password\/[A-Za-z0-9_-]{40,}$/);
    const member = await testDb().staffUser.findUniqueOrThrow({ where: { email } });
    expect(member).toMatchObject({ role: "finance", passwordHash: null, disabledAt: null });

    const mails = (await (await fetch(`${testEnv.mailUrl}/messages?to=${encodeURIComponent(email)}`)).json()) as { subject: string; text: string }[];
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(link);

    // Before a password is set, no password signs in.
    expect((await signInStaff(email, "anything-at-all-123")).cookies).not.toContain("next-auth.session-token");
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(email);

    const token = link!.split("/").pop()!;
    const short = await setPassword({ token, password: "short", confirm: "short" });
    expect(short.status).toBe(303);
    expect(short.headers.get("location")).toContain("error=invalid_password");
    const password = "a long enough passphrase";
    const set = await setPassword({ token, password, confirm: password });
    expect(set.status).toBe(303);
    expect(set.headers.get("location")).toContain("/signin?password=set");
    expect((await signInStaff(email, password)).cookies).toContain("next-auth.session-token");

    // The link worked once.
    const again = await setPassword({ token, password: "another long passphrase", confirm: "another long passphrase" });
    expect(again.headers.get("location")).toContain("error=link");
    expect(await (await fetch(link!)).text()).toContain("unknown, expired or already used");
    expect((await signInStaff(email, password)).cookies).toContain("next-auth.session-token");
  });

  it("refuses an invitation from a finance member, and a duplicate e-mail", async () => {
    const finance = await staffSession("finance");
    const refused = await callFormAction(builtAction("inviteStaffAction"), finance.cookies, { bound: [], fields: { email: `x-${uniqueSuffix()}@nexa.example`, name: "X", role: "admin" } });
    expect(refused.text).toContain(`"code":"role_required"`);
    const duplicate = await callFormAction(builtAction("inviteStaffAction"), admin.cookies, { bound: [], fields: { email: finance.email, name: "Again", role: "viewer" } });
    expect(duplicate.text).toContain(`"status":"refused"`);
    expect(duplicate.text).toContain("Already used");
  });

  it("a demotion applies on the member's next request, in the session they already have", async () => {
    const member = await staffSession("finance");
    const metricForm = { bound: [] as unknown[], fields: { name: "", code: "" } };
    const before = await callFormAction(builtAction("createMetricAction"), member.cookies, metricForm);
    expect(before.text).not.toMatch(/"code":"(role_required|unauthenticated)"/); // finance reaches the form's own validation

    const demoted = await callFormAction(builtAction("changeStaffRoleAction"), admin.cookies, { bound: [member.id], fields: { role: "viewer" } });
    expect(demoted.text).toContain("is now viewer");
    const after = await callFormAction(builtAction("createMetricAction"), member.cookies, metricForm);
    expect(after.text).toContain(`"code":"role_required"`);
    // They can still read the console.
    expect((await fetch(`${testEnv.baseUrl}/console`, { redirect: "manual", headers: { Cookie: member.cookies } })).status).toBe(200);
  });

  it("disabling ends the member's sessions at once; enabling again does not revive them", async () => {
    const member = await staffSession("finance");
    expect((await fetch(`${testEnv.baseUrl}/console`, { redirect: "manual", headers: { Cookie: member.cookies } })).status).toBe(200);
    const disabled = await callFormAction(builtAction("setStaffDisabledAction"), admin.cookies, { bound: [member.id], fields: { disabled: "true" } });
    expect(disabled.text).toContain("is disabled");

    const page = await fetch(`${testEnv.baseUrl}/console`, { redirect: "manual", headers: { Cookie: member.cookies } });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toContain("/signin");
    const action = await callFormAction(builtAction("createMetricAction"), member.cookies, { bound: [], fields: {} });
    expect(action.text).toContain(`"code":"unauthenticated"`);
    expect((await signInStaff(member.email, member.password)).cookies).not.toContain("next-auth.session-token");

    await callFormAction(builtAction("setStaffDisabledAction"), admin.cookies, { bound: [member.id], fields: { disabled: "false" } });
    expect((await fetch(`${testEnv.baseUrl}/console`, { redirect: "manual", headers: { Cookie: member.cookies } })).status).toBe(307);
    expect((await signInStaff(member.email, member.password)).cookies).toContain("next-auth.session-token");
  });
});
