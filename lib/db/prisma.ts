import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { sqlPool } from "./sql";

export type Db = PrismaClient;

/** A client with its own pool, for scripts and tests that talk to a database other than the server's. */
export function createPrismaClient(connectionString = process.env.DATABASE_URL): PrismaClient {
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  // A short connection timeout so an unreachable database fails requests quickly instead of hanging them.
  const adapter = new PrismaPg({ connectionString, connectionTimeoutMillis: 3000, max: 10 });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { nexaPrisma?: PrismaClient };

/** The process-wide client: it runs on the process's one shared pool (lib/db/sql.ts), also across Next.js dev reloads. */
export function db(): PrismaClient {
  globalForPrisma.nexaPrisma ??= new PrismaClient({ adapter: new PrismaPg(sqlPool()) });
  return globalForPrisma.nexaPrisma;
}
