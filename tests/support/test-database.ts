import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../../lib/db/embedded-postgres";

/** Runs one statement on its own connection (for checks on databases other than the app's). */
export async function queryDatabase<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TestCluster {
  /** A connection string to the server's maintenance database, for creating and dropping test databases. */
  adminUrl: string;
  embedded: boolean;
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * The PostgreSQL server tests run against: the one in DATABASE_URL when given (each run gets fresh databases on it),
 * otherwise an ephemeral embedded cluster in a temporary directory, deleted on stop.
 */
export async function openTestCluster(): Promise<TestCluster> {
  const given = process.env.DATABASE_URL;
  let adminUrl: string;
  let stopServer = async () => {};
  if (given) {
    adminUrl = given;
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "nexa-test-pg-"));
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), ephemeral: true });
    adminUrl = server.urlFor("postgres");
    stopServer = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  return {
    adminUrl,
    embedded: !given,
    createDatabase: (prefix = "nexa_test") => createFreshDatabase(adminUrl, prefix),
    stop: stopServer,
  };
}

/** Creates an empty database with a unique name on the server of `adminUrl` and returns its URL. */
export async function createFreshDatabase(adminUrl: string, prefix = "nexa_test"): Promise<string> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}
