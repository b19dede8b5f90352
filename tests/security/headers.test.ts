import { describe, expect, it } from "vitest";
import { createTestService } from "../support/api-fixture";
import { testEnv } from "../support/env";
import { staffCookies } from "./support";

// Every page, API answer (errors included) and redirect carries the security headers; HSTS only over https (the
// TLS-terminating proxy says so with X-Forwarded-Proto). e2e/security-csp.spec.ts checks in Chromium that the pages
// load under the policy without a single violation.

function expectSecurityHeaders(res: Response, what: string) {
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).not.toContain("unsafe-eval");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("strict-origin-when-cross-origin");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
}

describe("security headers", () => {
  it("are on pages, API answers, errors, redirects and documents", async () => {
    const svc = await createTestService();
    const staff = await staffCookies();
    const requests: [string, RequestInit][] = [
      ["/", {}],
      ["/signin", {}],
      ["/portal/sign-in", {}],
      ["/console", { redirect: "manual" }],
      ["/console", { headers: { Cookie: staff } }],
      ["/console/invoices/not-an-id", { headers: { Cookie: staff } }],
      ["/no-such-page", {}],
      ["/api/billing/v1/health", {}],
      ["/api/billing/v1/customers", {}],
      ["/api/billing/v1/customers", { headers: { Authorization: `Bearer ${svc.apiKey}` } }],
      ["/api/billing/v1/customers", { method: "PUT", headers: { Authorization: `Bearer ${svc.apiKey}` } }],
      ["/api/billing/v1/nowhere", {}],
      ["/api/auth/csrf", {}],
      ["/documents/invoices/x?expires=1&signature=x", {}],
    ];
    for (const [path, init] of requests) {
      const res = await fetch(`${testEnv.baseUrl}${path}`, init);
      expectSecurityHeaders(res, `${init.method ?? "GET"} ${path} (${res.status})`);
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
  });

  it("adds HSTS when the request came over https", async () => {
    for (const path of ["/signin", "/api/billing/v1/health"]) {
      const res = await fetch(`${testEnv.baseUrl}${path}`, { headers: { "X-Forwarded-Proto": "https" } });
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expectSecurityHeaders(res, path);
    }
  });
});
