import { randomBytes } from "node:crypto";
import { hashPassword } from "@/lib/auth/password";
import type { StaffRole } from "@/lib/auth/staff-session";
import { testDb, uniqueSuffix } from "./api-fixture";
import { testEnv } from "./env";

export interface SignInResult {
  status: number;
  location: string | null;
  /** The Cookie header a browser would send afterwards. */
  cookies: string;
}

/** Signs in through next-auth's real HTTP flow (CSRF token + credentials callback). */
export async function signInStaff(email: string, password: string): Promise<SignInResult> {
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

export interface TestStaffMember {
  id: string;
  email: string;
  password: string;
  role: StaffRole;
}

/** A new staff member with this role, written straight to the database. */
export async function createStaffMember(role: StaffRole): Promise<TestStaffMember> {
  const email = `${role}-${uniqueSuffix()}@nexa.example`;
  const password = randomBytes(12).toString("base64url");
  const user = await testDb().staffUser.create({ data: { email, name: `Test ${role}`, role, passwordHash: await hashPassword(password) } });
  return { id: user.id, email, password, role };
}

/** A signed-in staff member with this role: the Cookie header of their session. */
export async function staffSession(role: StaffRole): Promise<TestStaffMember & { cookies: string }> {
  const member = await createStaffMember(role);
  const { cookies } = await signInStaff(member.email, member.password);
  if (!cookies.includes("next-auth.session-token")) throw new Error(`could not sign in as ${role}`);
  return { ...member, cookies };
}
