import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";

export type Db = PrismaClient;

export function createPrismaClient(connectionString = process.env.DATABASE_URL): PrismaClient {
  if (!connectionString) throw new Error("DATABASE_URL is not set");
  // A short connection timeout so an unreachable database fails requests quickly instead of hanging them.
  const adapter = new PrismaPg({ connectionString, connectionTimeoutMillis: 3000, max: 10 });
  return new PrismaClient({ adapter });
}

const globalForPrisma = globalThis as unknown as { nexaPrisma?: PrismaClient };

/** The process-wide client (one pool per server process, also across Next.js dev reloads). */
export function db(): PrismaClient {
  globalForPrisma.nexaPrisma ??= createPrismaClient();
  return globalForPrisma.nexaPrisma;
}
