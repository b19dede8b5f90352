import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestService, type TestService } from "../support/api-fixture";
import { startAppServer, type AppServer } from "../support/app-server";
import { testEnv } from "../support/env";

const METRICS_TOKEN = "test-metrics-token-0123456789";

/** An app process of our own, so its log can be read and its metrics token set. */
describe("operations: request ids, JSON logs, Prometheus metrics", () => {
  let app: AppServer;
  let svc: TestService;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${app.baseUrl}/api/billing/v1${path}`, { ...init, headers: { Authorization: `Bearer ${svc.apiKey}`, ...(init.headers ?? {}) } });

  beforeAll(async () => {
    svc = await createTestService();
    app = await startAppServer({ databaseUrl: testEnv.databaseUrl, env: { METRICS_TOKEN, NEXA_JOBS: "off" } });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("returns a request id in a header and logs one JSON line carrying it", async () => {
    const res = await api("/customers/nobody-here");
    expect(res.status).toBe(404);
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 20 && !line; i++) {
      line = app.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((l) => l.request_id === requestId);
      if (!line) await new Promise((r) => setTimeout(r, 100));
    }
    expect(line).toMatchObject({ level: "info", msg: "api_request", request_id: requestId, method: "GET", route: "/customers/:id", path: "/api/billing/v1/customers/nobody-here", status: 404 });
    expect(typeof line!.duration_ms).toBe("number");
    expect(new Date(line!.time as string).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // A caller's own id is kept so one id follows the call across systems; an unsafe one is replaced.
    const mine = await api("/customers", { headers: { "X-Request-Id": "app-42.call-7" } });
    expect(mine.headers.get("x-request-id")).toBe("app-42.call-7");
    const unsafe = await api("/customers", { headers: { "X-Request-Id": "bad id\twith spaces" } });
    expect(unsafe.headers.get("x-request-id")).not.toContain("bad");
  });

  it("serves Prometheus metrics only with the token", async () => {
    expect((await fetch(`${app.baseUrl}/api/metrics`)).status).toBe(401);
    expect((await fetch(`${app.baseUrl}/api/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);

    for (let i = 0; i < 3; i++) expect((await api("/customers")).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/api/billing/v1/customers`)).status).toBe(401);

    const res = await fetch(`${app.baseUrl}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const value = (pattern: RegExp) => Number(text.split("\n").find((l) => pattern.test(l))?.split(" ").at(-1));
    expect(value(/^nexa_http_requests_total\{route="\/customers",method="GET",status="200"\}/)).toBeGreaterThanOrEqual(3);
    expect(value(/^nexa_http_requests_total\{route="\/customers",method="GET",status="401"\}/)).toBeGreaterThanOrEqual(1);
    expect(value(/^nexa_http_request_duration_seconds_count\{route="\/customers",method="GET",status="200"\}/)).toBeGreaterThanOrEqual(3);
    expect(value(/^nexa_db_pool_connections\{state="max"\}/)).toBe(10);
    expect(value(/^nexa_db_pool_connections\{state="total"\}/)).toBeGreaterThanOrEqual(1);
    expect(value(/^nexa_api_requests_waiting /)).toBe(0);
    for (const queue of ["webhooks", "dunning", "billing_runs"]) expect(value(new RegExp(`^nexa_queue_depth\\{queue="${queue}"\\}`))).toBeGreaterThanOrEqual(0);
    expect(text).toMatch(/^nexa_process_cpu_user_seconds_total /m);
  });

  it("keeps /health cheap: cached, and off the request pool", async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${app.baseUrl}/api/billing/v1/health`)).json()));
    for (const answer of answers) expect(answer).toMatchObject({ status: "ok", database: "ok", pool: { max: 10 } });
    // Twenty concurrent calls are answered by at most two checks (one may expire while they arrive).
    expect(new Set(answers.map((a) => a.checked_at)).size).toBeLessThanOrEqual(2);
  });
});
