import path from "node:path";
import { startEmbeddedPostgres } from "./embedded-postgres";

export interface LocalDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const DEFAULT_DATA_DIR = path.resolve(process.cwd(), ".data/postgres");
export const DEFAULT_DATABASE_NAME = "nexa_billing";

/**
 * The database the app and the scripts use: `DATABASE_URL` when it is set (an embedded server is then never started),
 * otherwise the embedded PostgreSQL whose data lives in `.data/postgres`.
 */
export async function openLocalDatabase(options: { log?: (line: string) => void; port?: number } = {}): Promise<LocalDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dataDir: process.env.NEXA_PG_DATA_DIR ?? DEFAULT_DATA_DIR,
    port: options.port ?? Number(process.env.NEXA_PG_PORT ?? 54329),
    log: options.log,
  });
  await server.createDatabase(DEFAULT_DATABASE_NAME);
  return { url: server.urlFor(DEFAULT_DATABASE_NAME), embedded: true, stop: () => server.stop() };
}
