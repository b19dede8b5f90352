import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { createPool, sqlPool } from "./sql";

export type Db = PrismaClient;

/** A client with its own pool, for scripts and tests that talk to a database other than the server's. */
export function createPrismaClient(connectionString = process.env.DATABASE_URL): PrismaClient {
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  // createPool's short connection timeout makes an unreachable database fail requests quickly instead of hanging them.
  const adapter = new PrismaPg(createPool(connectionString, { max: 10 }), { disposeExternalPool: true });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { nexaPrisma?: PrismaClient };

/** The process-wide client: it runs on the process's one shared pool (lib/db/sql.ts), also across Next.js dev reloads. */
export function db(): PrismaClient {
  globalForPrisma.nexaPrisma ??= new PrismaClient({ adapter: new PrismaPg(sqlPool()) });
  return globalForPrisma.nexaPrisma;
}
