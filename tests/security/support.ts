import { expect } from "vitest";
import { createPortalToken } from "@/lib/portal/access-token";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { testEnv } from "../support/env";

/** Lago's error shape: `{status, error, code}` with the response's status and a machine-readable code. */
export async function expectLagoError(res: Response, status?: number | number[]): Promise<Record<string, unknown>> {
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${res.status} with a non-JSON body: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (status !== undefined) expect([status].flat(), `${res.status} ${text.slice(0, 300)}`).toContain(res.status);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(body).toMatchObject({ status: res.status, error: expect.any(String), code: expect.stringMatching(/^[a-z_]+$/) });
  return body;
}

async function csrf(): Promise<{ csrfToken: string; cookies: string[] }> {
  const res = await fetch(`${testEnv.baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { csrfToken, cookies: res.headers.getSetCookie().map((c) => c.split(";")[0]) };
}

/** Signs in through next-auth's credentials callback; returns the Cookie header (session cookie absent on refusal). */
export async function signInWith(provider: "staff-credentials" | "portal-token" | "invoice-pay-link", fields: Record<string, string>, headers: Record<string, string> = {}) {
  const { csrfToken, cookies } = await csrf();
  const res = await fetch(`${testEnv.baseUrl}/api/auth/callback/${provider}`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies.join("; "), ...headers },
    body: new URLSearchParams({ csrfToken, ...fields, callbackUrl: `${testEnv.baseUrl}/`, json: "true" }),
  });
  const all = [...cookies, ...res.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
  return { res, cookies: all, signedIn: all.includes("session-token") };
}

/** Asks for a portal sign-in e-mail as the sign-in page does (next-auth's e-mail provider). */
export async function requestPortalEmail(email: string, headers: Record<string, string> = {}): Promise<Response> {
  const { csrfToken, cookies } = await csrf();
  return fetch(`${testEnv.baseUrl}/api/auth/signin/email`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookies.join("; "), ...headers },
    body: new URLSearchParams({ csrfToken, email, callbackUrl: `${testEnv.baseUrl}/portal`, json: "true" }),
  });
}

export async function staffCookies(): Promise<string> {
  const { cookies, signedIn } = await signInWith("staff-credentials", { email: testEnv.adminEmail, password: testEnv.adminPassword });
  if (!signedIn) throw new Error("staff sign-in failed");
  return cookies;
}

export async function portalCookies(customerId: string): Promise<string> {
  const { cookies, signedIn } = await signInWith("portal-token", { token: createPortalToken(customerId) });
  if (!signedIn) throw new Error("portal sign-in failed");
  return cookies;
}

/** A service with a metric, a plan and an active subscription, to aim bad requests at. */
export async function catalogFixture(): Promise<{ svc: TestService; p: string; customerId: string; metricId: string }> {
  const svc = await createTestService();
  const p = svc.code;
  const metric = (await svc.lago.billableMetrics.createBillableMetric({ billable_metric: { name: "gb", code: `gb_${p}`, aggregation_type: "sum_agg", field_name: "gb" } })).data.billable_metric;
  await svc.lago.plans.createPlan({
    plan: {
      name: "Fuzz", code: `plan_${p}`, interval: "monthly", amount_cents: 1000, amount_currency: "CAD", pay_in_advance: false,
      charges: [{ billable_metric_id: metric.lago_id, charge_model: "standard", properties: { amount: "0.5" } }],
    },
  });
  const customer = (await svc.lago.customers.createCustomer({ customer: { external_id: `cus_${p}`, timezone: "America/Toronto", state: "ON", email: `${p}@example.com` } })).data.customer;
  await svc.lago.subscriptions.createSubscription({ subscription: { external_customer_id: `cus_${p}`, plan_code: `plan_${p}`, external_id: `sub_${p}` } });
  return { svc, p, customerId: customer.lago_id, metricId: metric.lago_id };
}

/** Row counts of what one service's refused writes could have touched (other suites write to the same database). */
export async function serviceRowCounts(serviceId: string): Promise<Record<string, number>> {
  const db = testDb();
  const where = { serviceId };
  const [links, plans, metrics, subscriptions, events, rollups, invoices, creditNotes, endpoints] = await Promise.all([
    db.accountLink.count({ where }), db.plan.count({ where }), db.billableMetric.count({ where }), db.subscription.count({ where }),
    db.usageEvent.count({ where }), db.usageRollup.count({ where }), db.invoice.count({ where }),
    db.creditNote.count({ where: { invoice: { serviceId } } }), db.webhookEndpoint.count({ where }),
  ]);
  const charges = await db.charge.count({ where: { plan: { serviceId } } });
  return { links, plans, charges, metrics, subscriptions, events, rollups, invoices, creditNotes, endpoints };
}
