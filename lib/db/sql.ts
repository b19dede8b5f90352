import pg from "pg";

/**
 * A plain node-postgres pool for the few hot paths (API-key checks, usage ingestion) where Prisma's per-query overhead
 * dominates; everything else goes through Prisma. Same database, same UTC timestamps.
 */
export type SqlPool = pg.Pool;

const globalForSql = globalThis as unknown as { nexaSqlPool?: pg.Pool };

export function sqlPool(): pg.Pool {
  if (!globalForSql.nexaSqlPool) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    const pool = new pg.Pool({ connectionString, max: 10, connectionTimeoutMillis: 3000 });
    // An idle connection dropped by the server must not crash the process; the pool replaces it.
    pool.on("error", (error) => console.error("PostgreSQL pool error", error.message));
    globalForSql.nexaSqlPool = pool;
  }
  return globalForSql.nexaSqlPool;
}

/** Runs `work` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
