import { testEnv } from "./env";
import { signInStaff } from "./staff-sign-in";

/** Signs in through next-auth's real HTTP flow (tests/support/staff-sign-in.ts); returns the cookie header. */
export async function staffCookies(email = testEnv.adminEmail, password = testEnv.adminPassword): Promise<string> {
  const { cookies } = await signInStaff(email, password);
  if (!cookies.includes("next-auth.session-token")) throw new Error(`Staff sign-in failed for ${email}`);
  return cookies;
}
