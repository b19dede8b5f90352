import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestService, testDb } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { expectLagoError, requestPortalEmail, signInWith } from "./support";

// Limits are shared through PostgreSQL, so the tests set a counter as another app instance would have left it, then check
// the app refuses. The API counts in memory and syncs with PostgreSQL every second (lib/security/shared-window-limiter.ts):
// its counter appears within a sync, and a count set elsewhere is honoured from the next sync on. Per-IP subjects use an address of the documentation range sent in
// X-Forwarded-For (the app trusts the nearest hop), so no other suite running from 127.0.0.1 is affected.

/** A fake address unique to one test: only its string matters to the limiter. */
const uniqueIp = () => `203.0.113.${randomInt(1, 255)}#${Date.now().toString(36)}${randomInt(1e6)}`;

const MINUTE = 60_000;
/** Waits out the last seconds of a minute window, so a counter set now is still current at the next request. */
async function awayFromWindowEdge(windowMs = MINUTE) {
  const left = windowMs - (Date.now() % windowMs);
  if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 200));
}

async function setCounter(key: string, count: number, windowMs: number) {
  const now = Date.now();
  const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
  await testDb().rateLimitBucket.upsert({ where: { key }, create: { key, windowStart, count, updatedAt: new Date(now) }, update: { windowStart, count, updatedAt: new Date(now) } });
}

/** Calls until the app answers 429 (it learns a counter set in the database at its next sync, within about a second). */
async function firstRefusal(call: () => Promise<Response>): Promise<{ res: Response; admitted: number }> {
  const deadline = Date.now() + 5000;
  for (let admitted = 0; ; admitted += 1) {
    const res = await call();
    if (res.status === 429 || Date.now() > deadline) return { res, admitted };
    expect(res.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("rate limits", () => {
  it("refuses an API key over its quota with 429, Retry-After and Lago's body, whichever instance counted", async () => {
    const svc = await createTestService();
    await awayFromWindowEdge();
    expect((await svc.call("/customers")).status).toBe(200);
    const counted = () => testDb().rateLimitBucket.findUnique({ where: { key: `api-key:${svc.apiKeyId}` } }).then((row) => row?.count);
    await expect.poll(counted, { timeout: 5000 }).toBe(1);
    await setCounter(`api-key:${svc.apiKeyId}`, 12_000, MINUTE);
    const { res, admitted } = await firstRefusal(() => svc.call("/customers"));
    // Admitted only until the next sync (the tolerance of the in-memory count).
    expect(admitted).toBeLessThanOrEqual(15);
    const retryAfter = Number(res.headers.get("retry-after"));
    const body = await expectLagoError(res, 429);
    expect(body.code).toBe("too_many_requests");
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.error_details).toEqual({ retry_after_seconds: retryAfter });
    // Writes are refused before they happen.
    const write = await svc.call("/customers", { method: "POST", json: { customer: { external_id: "limited" } } });
    expect(write.status).toBe(429);
    expect(await testDb().accountLink.count({ where: { serviceId: svc.id } })).toBe(0);
    // Another key of another service is not affected.
    expect((await (await createTestService()).call("/customers")).status).toBe(200);
  });

  it("refuses an IP over its quota whatever key it uses", async () => {
    const [a, b] = [await createTestService(), await createTestService()];
    const ip = uniqueIp();
    await awayFromWindowEdge();
    expect((await a.call("/customers", { headers: { "X-Forwarded-For": ip } })).status).toBe(200);
    await setCounter(`api-ip:${ip}`, 30_000, MINUTE);
    for (const svc of [a, b]) {
      const { res } = await firstRefusal(() => svc.call("/plans", { headers: { "X-Forwarded-For": ip } }));
      expect((await expectLagoError(res, 429)).code).toBe("too_many_requests");
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    expect((await a.call("/customers")).status).toBe(200);
  });

  it("locks an account out from one address after repeated failures, with a growing wait, and not from others", async () => {
    const ip = uniqueIp();
    const attempt = (password: string, from = ip) => signInWith("staff-credentials", { email: testEnv.adminEmail, password }, { "X-Forwarded-For": from });
    for (let i = 0; i < 5; i += 1) {
      const { res, signedIn } = await attempt(`wrong-${i}`);
      expect(res.status).not.toBe(429);
      expect(signedIn).toBe(false);
    }
    const locked = await attempt(testEnv.adminPassword);
    expect(locked.res.status).toBe(429);
    expect(locked.signedIn).toBe(false);
    const first = Number(locked.res.headers.get("retry-after"));
    expect(first).toBeGreaterThan(20);
    expect(first).toBeLessThanOrEqual(30);
    const body = (await locked.res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 429, code: "too_many_sign_in_attempts", url: expect.stringContaining("error=TooManyAttempts") });
    // The right password from another address still works: the lockout is per account and address.
    expect((await attempt(testEnv.adminPassword, uniqueIp())).signedIn).toBe(true);

    // Backoff: once the wait has passed, one more failure doubles it.
    const key = `staff-signin:${testEnv.adminEmail.toLowerCase()}|${ip}`;
    await testDb().rateLimitBucket.update({ where: { key }, data: { updatedAt: new Date(Date.now() - 31_000) } });
    expect((await attempt("wrong-again")).res.status).not.toBe(429);
    const second = Number((await attempt(testEnv.adminPassword)).res.headers.get("retry-after"));
    expect(second).toBeGreaterThan(50);
    expect(second).toBeLessThanOrEqual(60);
    // After the wait the right password gets in and clears the failures.
    await testDb().rateLimitBucket.update({ where: { key }, data: { updatedAt: new Date(Date.now() - 61_000) } });
    expect((await attempt(testEnv.adminPassword)).signedIn).toBe(true);
    expect(await testDb().rateLimitBucket.findUnique({ where: { key } })).toBeNull();
  });

  it("caps staff sign-in attempts per IP across accounts", async () => {
    const ip = uniqueIp();
    await setCounter(`staff-signin-ip:${ip}`, 100, 15 * MINUTE);
    const res = (await signInWith("staff-credentials", { email: `someone-${Date.now()}@nexa.example`, password: "x" }, { "X-Forwarded-For": ip })).res;
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("limits portal sign-in e-mails per address and per IP", async () => {
    const email = `nobody-${Date.now()}@customer.example`;
    const request = (address: string, ip: string) => requestPortalEmail(address, { "X-Forwarded-For": ip });
    for (let i = 0; i < 5; i += 1) expect((await request(email, uniqueIp())).status).toBe(200);
    const refused = await request(email, uniqueIp());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 429, code: "too_many_sign_in_emails" });

    const ip = uniqueIp();
    await setCounter(`portal-email-ip:${ip}`, 30, 60 * MINUTE);
    expect((await request(`other-${Date.now()}@customer.example`, ip)).status).toBe(429);
  });

  it("answers a portal sign-in request in the same time for a customer's address and an unknown one", async () => {
    const svc = await createTestService();
    const known = `known-${svc.code}@customer.example`;
    await svc.lago.customers.createCustomer({ customer: { external_id: `k-${svc.code}`, email: known, state: "ON", country: "CA", timezone: "America/Toronto" } });
    const timed = async (address: string) => {
      const started = performance.now();
      const res = await requestPortalEmail(address, { "X-Forwarded-For": uniqueIp() });
      expect(res.status).toBe(200);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const knownTimes: number[] = [];
    const unknownTimes: number[] = [];
    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 4; i += 1) {
      knownTimes.push(await timed(known));
      await settle();
      unknownTimes.push(await timed(`unknown-${i}-${svc.code}@customer.example`));
      await settle();
    }
    // The e-mail goes out after the answer: no rendering or SMTP round trip in the known address's time.
    const [k, u] = [median(knownTimes), median(unknownTimes)];
    expect(Math.abs(k - u), `known ${knownTimes.map(Math.round)} ms, unknown ${unknownTimes.map(Math.round)} ms`).toBeLessThan(Math.max(100, 0.5 * Math.min(k, u)));
    // And it does go out, to the customer's address only.
    const mailsTo = async (address: string) => ((await (await fetch(`${testEnv.mailUrl}/messages?to=${encodeURIComponent(address)}`)).json()) as unknown[]).length;
    await expect.poll(() => mailsTo(known), { timeout: 10_000 }).toBe(4);
    expect(await mailsTo(`unknown-0-${svc.code}@customer.example`)).toBe(0);
  });
});
