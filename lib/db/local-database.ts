import path from "node:path";
import { startEmbeddedPostgres } from "./embedded-postgres";

export interface LocalDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export const DEFAULT_DATA_DIR = path.resolve(process.cwd(), ".data/postgres");
export const DEFAULT_DATABASE_NAME = "nexa_billing";
export const DEFAULT_PORT = 54329;

/**
 * The database the app and the scripts use: `DATABASE_URL` when it is set (an embedded server is then never started),
 * otherwise the embedded PostgreSQL whose data lives in `.data/postgres`, on the port recorded in that folder (54329,
 * or a free one if it was taken, at the first start; NEXA_PG_PORT moves it). When that cluster is already running
 * (`npm run dev` in another terminal) it is used as it is, and left running.
 */
export async function openLocalDatabase(options: { log?: (line: string) => void; port?: number } = {}): Promise<LocalDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dataDir: process.env.NEXA_PG_DATA_DIR ?? DEFAULT_DATA_DIR,
    port: options.port ?? (process.env.NEXA_PG_PORT ? Number(process.env.NEXA_PG_PORT) : undefined),
    defaultPort: DEFAULT_PORT,
    log: options.log,
  });
  await server.createDatabase(DEFAULT_DATABASE_NAME);
  return { url: server.urlFor(DEFAULT_DATABASE_NAME), embedded: true, stop: () => server.stop() };
}
