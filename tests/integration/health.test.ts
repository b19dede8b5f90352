import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded-postgres";
import { applyMigrations } from "@/lib/db/migrations";
import { startAppServer, type AppServer } from "../support/app-server";
import { testEnv } from "../support/env";

describe("GET /api/billing/v1/health", () => {
  it("answers ok after a database round-trip, without an API key", async () => {
    const res = await fetch(`${testEnv.baseUrl}/api/billing/v1/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", database: "ok" });
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  describe("with a database that goes down and comes back", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nexa-health-pg-"));
    let cluster: EmbeddedPostgresHandle | undefined;
    let app: AppServer | undefined;

    afterAll(async () => {
      await app?.stop();
      await cluster?.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    });

    it("reports 503 while the database is stopped and recovers when it is back", async () => {
      cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, "data") });
      await cluster.createDatabase("health");
      const url = cluster.urlFor("health");
      const port = Number(new URL(url).port);
      await applyMigrations(url);
      app = await startAppServer({ databaseUrl: url });

      const up = await fetch(`${app.baseUrl}/api/billing/v1/health`);
      expect(up.status).toBe(200);

      await cluster.stop();
      // The check is cached for a second, so the outage shows within about that long.
      let down = await fetch(`${app.baseUrl}/api/billing/v1/health`);
      for (let i = 0; i < 20 && down.status !== 503; i++) {
        await new Promise((r) => setTimeout(r, 200));
        down = await fetch(`${app.baseUrl}/api/billing/v1/health`);
      }
      expect(down.status).toBe(503);
      expect(down.headers.get("retry-after")).toBe("1");
      expect(await down.json()).toMatchObject({ status: "unavailable", database: "unreachable" });

      // The server process survived the outage and serves again once PostgreSQL is back on the same port.
      cluster = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port });
      expect(new URL(cluster.urlFor("health")).port).toBe(String(port));
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await fetch(`${app.baseUrl}/api/billing/v1/health`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    }, 240_000); // two PostgreSQL starts, migrations and a server start: slow on a shared machine
  });
});

describe("unknown API paths", () => {
  it("answer 404 resource_not_found in Lago's shape", async () => {
    const res = await fetch(`${testEnv.baseUrl}/api/billing/v1/no/such/thing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ status: 404, error: "Not Found", code: "resource_not_found" });
  });
});
