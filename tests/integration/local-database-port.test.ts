import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findFreePort, PORT_FILE, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@/lib/db/embedded-postgres";
import { queryDatabase } from "../support/test-database";

const occupy = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
const release = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe("the embedded cluster's port (npm run dev, nexacloud:fixture)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "nexa-port-pg-"));
  const dataDir = path.join(dir, "data");
  const handles: EmbeddedPostgresHandle[] = [];
  afterAll(async () => {
    for (const handle of handles.reverse()) await handle.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the port recorded at the first start, even once the preferred port is free again", async () => {
    const preferred = await findFreePort();
    const squatter = await occupy(preferred);
    const first = await startEmbeddedPostgres({ dataDir, defaultPort: preferred });
    handles.push(first);
    const port = Number(new URL(first.urlFor("postgres")).port);
    expect(port).not.toBe(preferred);
    expect(readFileSync(path.join(dataDir, PORT_FILE), "utf8").trim()).toBe(String(port));
    await first.stop();
    handles.pop();
    await release(squatter);

    // A DSN saved from the first start still reaches the cluster after a restart.
    const again = await startEmbeddedPostgres({ dataDir, defaultPort: preferred });
    handles.push(again);
    expect(again.urlFor("postgres")).toBe(first.urlFor("postgres"));
    expect(await queryDatabase<{ one: number }>(first.urlFor("postgres"), "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("shares a cluster already running on the folder (a second script while npm run dev runs) and leaves it running", async () => {
    const running = handles[handles.length - 1];
    const second = await startEmbeddedPostgres({ dataDir, defaultPort: 1 });
    expect(second.urlFor("postgres")).toBe(running.urlFor("postgres"));
    await second.createDatabase("fixture_here");
    await second.stop();
    expect(await queryDatabase<{ datname: string }>(running.urlFor("postgres"), "SELECT datname FROM pg_database WHERE datname = 'fixture_here'")).toHaveLength(1);
  });

  it.skipIf(process.platform === "win32")("connects through the server's Unix-domain socket, its own and a shared one's, with TCP still open to tools", async () => {
    const running = handles[handles.length - 1];
    const shared = await startEmbeddedPostgres({ dataDir });
    const clientAddress = "SELECT inet_client_addr()::text AS address";
    for (const url of [running.urlFor("postgres"), shared.urlFor("postgres")]) {
      expect(new URL(url).searchParams.get("host")).toBe("/tmp");
      // A socket connection has no client address.
      expect(await queryDatabase<{ address: string | null }>(url, clientAddress)).toEqual([{ address: null }]);
    }
    const tcp = new URL(running.urlFor("postgres"));
    tcp.search = "";
    expect(await queryDatabase<{ address: string | null }>(tcp.toString(), clientAddress)).toEqual([{ address: "127.0.0.1/32" }]);
    await shared.stop();
  });

  it("says so when another program holds the recorded port, instead of moving the cluster", async () => {
    const running = handles.pop()!;
    const port = Number(new URL(running.urlFor("postgres")).port);
    await running.stop();
    const squatter = await occupy(port);
    try {
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(new RegExp(`Port ${port}, recorded for the PostgreSQL data in .* is taken by another program`));
    } finally {
      await release(squatter);
    }
  });
});
