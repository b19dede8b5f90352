import { testEnv } from "./env";

/** Signs in through next-auth's real HTTP flow (CSRF token + credentials callback); returns the cookie header. */
export async function staffCookies(email = testEnv.adminEmail, password = testEnv.adminPassword): Promise<string> {
  const csrfRes = await fetch(`${testEnv.baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const csrfCookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${testEnv.baseUrl}/api/auth/callback/staff-credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: csrfCookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${testEnv.baseUrl}/console`, json: "true" }),
  });
  const cookies = [...csrfCookies, ...res.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
  if (!cookies.includes("next-auth.session-token")) throw new Error(`Staff sign-in failed for ${email}`);
  return cookies;
}
