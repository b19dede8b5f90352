import { sqlPool } from "@/lib/db/sql";
import { clearFailures, clientIp, hitQuotas, lockout, rateLimits, recordFailure, type RateLimitRefusal } from "@/lib/security/rate-limit";

/**
 * Abuse limits of the two sign-in doors (README "Security model → Rate limits"):
 * - staff password sign-in: failures per account and IP lock that pair out with a growing wait; every attempt also
 *   counts against a per-IP quota (password spraying across accounts);
 * - portal sign-in e-mails: a quota per address (nobody's inbox gets flooded) and per IP.
 * Refusals are 429 with Retry-After, in a body next-auth's client understands (`url` with `error=TooManyAttempts`).
 */
const staffKey = (email: string, ip: string) => `staff-signin:${email.trim().toLowerCase()}|${ip}`;

export async function recordStaffSignInFailure(email: string, ip: string): Promise<void> {
  await recordFailure(sqlPool(), staffKey(email, ip), rateLimits().staffSignInFailures);
}

export async function clearStaffSignInFailures(email: string, ip: string): Promise<void> {
  await clearFailures(sqlPool(), staffKey(email, ip));
}

function refusalResponse(request: Request, refusal: RateLimitRefusal, code: string): Response {
  const base = new URL(request.url).origin;
  return Response.json(
    {
      status: 429,
      error: "Too Many Requests",
      code,
      message: `Too many attempts: try again in ${refusal.retryAfterSeconds} s`,
      error_details: { retry_after_seconds: refusal.retryAfterSeconds },
      url: `${base}/signin?error=TooManyAttempts`,
    },
    { status: 429, headers: { "Retry-After": String(refusal.retryAfterSeconds) } },
  );
}

async function formField(request: Request, name: string): Promise<string> {
  try {
    const form = await request.clone().formData();
    const value = form.get(name);
    return typeof value === "string" ? value.trim().toLowerCase().slice(0, 320) : "";
  } catch {
    return "";
  }
}

/** A 429 for a sign-in request over its limits, or null to let next-auth handle it. */
export async function signInLimitRefusal(request: Request): Promise<Response | null> {
  if (request.method !== "POST") return null;
  const path = new URL(request.url).pathname;
  const ip = clientIp(request.headers);
  const limits = rateLimits();
  if (path.endsWith("/callback/staff-credentials")) {
    const email = await formField(request, "email");
    const locked = await lockout(sqlPool(), staffKey(email, ip), limits.staffSignInFailures);
    if (locked) return refusalResponse(request, locked, "too_many_sign_in_attempts");
    const quota = await hitQuotas(sqlPool(), [{ key: `staff-signin-ip:${ip}`, ...limits.staffSignInPerIp }]);
    return quota ? refusalResponse(request, quota, "too_many_sign_in_attempts") : null;
  }
  if (path.endsWith("/signin/email")) {
    const email = await formField(request, "email");
    const quota = await hitQuotas(sqlPool(), [
      { key: `portal-email:${email}`, ...limits.portalEmailPerAddress },
      { key: `portal-email-ip:${ip}`, ...limits.portalEmailPerIp },
    ]);
    return quota ? refusalResponse(request, quota, "too_many_sign_in_emails") : null;
  }
  return null;
}
