import { lookup } from "node:dns/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { webhookUrlProblem } from "@/lib/services/webhook-settings";
import { postWebhook, RESPONSE_EXCERPT_BYTES } from "@/lib/webhooks/webhook-http";
import { createTestService, testDb, type TestService } from "../support/api-fixture";
import { expectLagoError } from "./support";

// Webhook endpoints may only point at public addresses: refused when saved, and again at every delivery after DNS
// resolution, on the address the socket actually connects to. The app under test runs with the development setting
// NEXA_ALLOW_LOOPBACK_WEBHOOKS=1 (its receivers are on 127.0.0.1); this process turns it off where it says so.

/** Private, link-local, multicast, unspecified and encoded addresses: refused whatever the development setting. */
const NEVER_ALLOWED = [
  "https://169.254.169.254/latest/meta-data/",
  "https://10.0.0.5/hook",
  "https://172.16.3.4/hook",
  "https://192.168.1.1/hook",
  "https://100.64.0.1/hook",
  "https://0.0.0.0/hook",
  "https://0/hook",
  "https://[::]/hook",
  "https://224.0.0.1/hook",
  "https://[ff02::1]/hook",
  "https://[fe80::1]/hook",
  "https://[fd00::1]/hook",
  "https://[::ffff:10.0.0.1]/hook",
  "https://[::ffff:a9fe:a9fe]/hook",
  "https://167772161/hook", // 10.0.0.1 in decimal
  "https://0xa9fea9fe/hook", // 169.254.169.254 in hex
  "https://0251.0376.0251.0376/hook", // the same in octal
  "https://0xA9.0xFE.0xA9.0xFE/hook",
  "https://169.254.169.254.:443/hook",
];

/** Loopback, however written: refused unless the development setting is on. */
const LOOPBACK = [
  "https://127.0.0.1/hook",
  "https://127.1/hook",
  "https://2130706433/hook",
  "https://0x7f000001/hook",
  "https://017700000001/hook",
  "https://[::1]/hook",
  "https://[::ffff:127.0.0.1]/hook",
  "https://localhost/hook",
  "https://app.localhost/hook",
  "http://localhost:4000/hook",
];

/** Runs `run` (and waits for it when it returns a promise) with the development setting on or off. */
function withLoopback<T>(allowed: boolean, run: () => T): T {
  const before = process.env.NEXA_ALLOW_LOOPBACK_WEBHOOKS;
  const restore = () => {
    process.env.NEXA_ALLOW_LOOPBACK_WEBHOOKS = before;
  };
  process.env.NEXA_ALLOW_LOOPBACK_WEBHOOKS = allowed ? "1" : "0";
  let result: T;
  try {
    result = run();
  } catch (error) {
    restore();
    throw error;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

describe("SSRF: webhook endpoint URLs", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await createTestService();
  });

  it("refuses private, link-local, multicast, unspecified and encoded addresses when an endpoint is saved through the API", async () => {
    for (const url of NEVER_ALLOWED) {
      const res = await svc.call("/webhook_endpoints", { method: "POST", json: { webhook_endpoint: { webhook_url: url } } });
      const body = await expectLagoError(res, 422);
      expect(body.error_details, url).toEqual({ webhook_url: ["address_not_allowed"] });
    }
    const saved = await testDb().webhookEndpoint.findFirst({ where: { serviceId: svc.id } });
    expect(saved).toBeNull();
    // An update cannot point an existing endpoint there either.
    const ok = await svc.call("/webhook_endpoints", { method: "POST", json: { webhook_endpoint: { webhook_url: "https://hooks.example.com/nexa" } } });
    expect(ok.status).toBe(200);
    const { webhook_endpoint } = (await ok.json()) as { webhook_endpoint: { lago_id: string } };
    const update = await svc.call(`/webhook_endpoints/${webhook_endpoint.lago_id}`, { method: "PUT", json: { webhook_endpoint: { webhook_url: "https://169.254.169.254/" } } });
    expect((await expectLagoError(update, 422)).error_details).toEqual({ webhook_url: ["address_not_allowed"] });
    expect((await testDb().webhookEndpoint.findUniqueOrThrow({ where: { id: webhook_endpoint.lago_id } })).url).toBe("https://hooks.example.com/nexa");
  });

  it("refuses loopback however written unless the development setting allows it", () => {
    withLoopback(false, () => {
      for (const url of [...LOOPBACK, ...NEVER_ALLOWED]) expect(webhookUrlProblem(url), url).toBe("address_not_allowed");
      expect(webhookUrlProblem("https://hooks.example.com/x")).toBeNull();
      expect(webhookUrlProblem("https://8.8.8.8/x")).toBeNull();
      expect(webhookUrlProblem("https://[2606:4700::1111]/x")).toBeNull();
    });
    withLoopback(true, () => {
      for (const url of LOOPBACK) expect(webhookUrlProblem(url), url).toBeNull();
      for (const url of NEVER_ALLOWED) expect(webhookUrlProblem(url), url).toBe("address_not_allowed");
      expect(webhookUrlProblem("http://hooks.example.com/x")).toBe("https_required");
    });
  });
});

describe("SSRF: deliveries check the resolved address", () => {
  let server: http.Server;
  let port = 0;
  let requests = 0;
  let answer = "ok";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on("end", () => res.writeHead(200, { "Content-Type": "text/plain" }).end(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  afterEach(() => {
    requests = 0;
    answer = "ok";
  });
  const request = { body: "{}", headers: { "Content-Type": "application/json" } };

  it("does not connect when a host name resolves to loopback and the setting is off (DNS rebinding)", async () => {
    // A name that was public when the endpoint was saved and now resolves to 127.0.0.1.
    const rebinding = (_host: string, _options: unknown, callback: (error: null, addresses: { address: string; family: number }[]) => void) =>
      callback(null, [{ address: "127.0.0.1", family: 4 }]);
    const refused = await withLoopback(false, () => postWebhook(`http://hooks.example.com:${port}/x`, request, 2000, { resolve: rebinding }));
    expect(refused).toMatchObject({ ok: false, statusCode: null, response: null });
    expect(refused.error).toMatch(/^address_not_allowed: hooks\.example\.com resolves to 127\.0\.0\.1/);
    // Any private address among several answers refuses the lot (the socket could pick it).
    const mixed = (_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) => cb(null, [{ address: "93.184.216.34", family: 4 }, { address: "10.1.2.3", family: 4 }]);
    expect((await withLoopback(false, () => postWebhook(`https://hooks.example.com/x`, request, 2000, { resolve: mixed }))).error).toMatch(/^address_not_allowed: .* 10\.1\.2\.3/);
    expect(requests).toBe(0);

    // The system resolver too: this machine's own name resolves to a loopback address.
    const own = hostname();
    const resolved = await lookup(own).catch(() => null);
    if (resolved && /^127\.|^::1$/.test(resolved.address)) {
      const viaDns = await withLoopback(false, () => postWebhook(`http://${own}:${port}/x`, request, 2000));
      expect(viaDns.error).toMatch(/^address_not_allowed/);
      expect(requests).toBe(0);
    }
    // Literal addresses are refused before any connection, at delivery as at save.
    for (const url of [`http://127.0.0.1:${port}/x`, `http://2130706433:${port}/x`, `http://[::ffff:127.0.0.1]:${port}/x`, "http://169.254.169.254/latest", "http://10.0.0.1/"]) {
      const result = await withLoopback(false, () => postWebhook(url, request, 2000));
      expect(result.error, url).toMatch(/^address_not_allowed/);
    }
    expect(requests).toBe(0);

    // With the development setting on, the same loopback receiver is reached: the refusals above are the check's doing.
    const allowed = await withLoopback(true, () => postWebhook(`http://hooks.example.com:${port}/x`, request, 2000, { resolve: rebinding }));
    expect(allowed).toMatchObject({ ok: true, statusCode: 200, response: "ok" });
    expect(requests).toBe(1);
  });

  it("keeps only a short, truncated excerpt of the answer", async () => {
    answer = "x".repeat(1_000_000);
    const result = await withLoopback(true, () => postWebhook(`http://127.0.0.1:${port}/x`, request, 5000));
    expect(result.ok).toBe(true);
    expect(result.response!.length).toBe(RESPONSE_EXCERPT_BYTES + 1);
    expect(result.response!.endsWith("…")).toBe(true);
  });
});
