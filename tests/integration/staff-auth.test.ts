import { describe, expect, it } from "vitest";
import { testEnv } from "../support/env";

/** Signs in through next-auth's real HTTP flow (CSRF token + credentials callback); returns the cookie header. */
async function signIn(email: string, password: string): Promise<{ status: number; location: string | null; cookies: string }> {
  const csrfRes = await fetch(`${testEnv.baseUrl}/api/auth/csrf`);
  const { csrfToken } = await csrfRes.json();
  const csrfCookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${testEnv.baseUrl}/api/auth/callback/staff-credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: csrfCookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${testEnv.baseUrl}/console`, json: "true" }),
  });
  const cookies = [...csrfCookies, ...res.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
  // With json=true next-auth answers 200 {url} where a browser would get a redirect.
  const isJson = res.headers.get("content-type")?.includes("application/json");
  const location = isJson ? ((await res.json()) as { url: string }).url : res.headers.get("location");
  return { status: res.status, location, cookies };
}

describe("staff sign-in", () => {
  it("redirects anonymous visitors of /console to sign-in", async () => {
    const res = await fetch(`${testEnv.baseUrl}/console?c_q=x`, { redirect: "manual" });
    expect([302, 303, 307]).toContain(res.status);
    const location = new URL(res.headers.get("location")!, testEnv.baseUrl);
    expect(location.pathname).toBe("/signin");
    expect(location.searchParams.get("callbackUrl")).toBe("/console");
  });

  it("refuses a wrong password and sets no session", async () => {
    const result = await signIn(testEnv.adminEmail, "wrong-password");
    expect(result.location ?? "").toContain("error=CredentialsSignin");
    expect(result.cookies).not.toContain("next-auth.session-token");
    const res = await fetch(`${testEnv.baseUrl}/console`, { redirect: "manual", headers: { Cookie: result.cookies } });
    expect(res.status).toBe(307);
  });

  it("refuses an unknown e-mail the same way", async () => {
    const result = await signIn("nobody@nexa.example", testEnv.adminPassword);
    expect(result.location ?? "").toContain("error=CredentialsSignin");
    expect(result.cookies).not.toContain("next-auth.session-token");
  });

  it("opens the console with the admin's credentials", async () => {
    const result = await signIn(testEnv.adminEmail, testEnv.adminPassword);
    expect(result.cookies).toContain("next-auth.session-token");
    const res = await fetch(`${testEnv.baseUrl}/console?c_q=Bor%C3%A9al`, { headers: { Cookie: result.cookies } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("NexaCloud");
    expect(html).toContain("Boréal Média Ltée");
    // Server-side filtering: the other customers are not in the page at all.
    expect(html).not.toContain("Maple Leaf Robotics");
  });
});
