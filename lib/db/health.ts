import pg from "pg";
import { sqlPool } from "./sql";

/**
 * The health check behind `GET /health`. It must stay cheap and truthful under load, so:
 * - it pings PostgreSQL on its own single connection, not through the request pool: a saturated pool is reported in
 *   `pool` (busy, waiting), it does not make the database look down;
 * - one ping answers every caller for HEALTH_TTL_MS (and concurrent callers share the ping in flight), so a load
 *   balancer polling hard costs at most one query per second per process.
 */
export const HEALTH_TTL_MS = 1000;
const PING_TIMEOUT_MS = 2000;

export interface DatabaseHealth {
  healthy: boolean;
  checkedAt: number;
}

export interface PoolUsage {
  size: number;
  idle: number;
  waiting: number;
  max: number;
}

const state = globalThis as unknown as { nexaHealthClient?: Promise<pg.Client>; nexaHealth?: DatabaseHealth; nexaHealthPing?: Promise<DatabaseHealth> };

/** One long-lived connection for the checks; dropped after any failure, so the next check starts afresh. */
async function pingOnOwnConnection(): Promise<boolean> {
  state.nexaHealthClient ??= (async () => {
    const client = new pg.Client({
      connectionString: process.env.DATABASE_URL,
      connectionTimeoutMillis: PING_TIMEOUT_MS,
      query_timeout: PING_TIMEOUT_MS,
      application_name: "nexa-billing-health",
    });
    client.on("error", () => dropHealthClient(client));
    await client.connect();
    return client;
  })();
  const pending = state.nexaHealthClient;
  try {
    const client = await pending;
    const healthy = await databaseIsHealthy(client);
    if (!healthy) dropHealthClient(client);
    return healthy;
  } catch {
    if (state.nexaHealthClient === pending) state.nexaHealthClient = undefined;
    return false;
  }
}

function dropHealthClient(client: pg.Client): void {
  state.nexaHealthClient = undefined;
  void client.end().catch(() => {});
}

/** Round-trips to the database; false (never a throw) when it is unreachable or too slow. */
export async function databaseIsHealthy(pool: Pick<pg.Pool, "query">, timeoutMs = PING_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const ping = pool.query<{ ok: number }>("SELECT 1 AS ok").then(({ rows }) => rows[0]?.ok === 1);
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The latest database check, at most HEALTH_TTL_MS old. */
export async function cachedDatabaseHealth(now = Date.now()): Promise<DatabaseHealth> {
  const last = state.nexaHealth;
  if (last && now - last.checkedAt < HEALTH_TTL_MS) return last;
  state.nexaHealthPing ??= pingOnOwnConnection()
    .then((healthy) => (state.nexaHealth = { healthy, checkedAt: Date.now() }))
    .finally(() => (state.nexaHealthPing = undefined));
  return state.nexaHealthPing;
}

/** Connections of the shared request pool right now (also exported as metrics). */
export function poolUsage(pool: pg.Pool = sqlPool()): PoolUsage {
  return { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options.max ?? 10 };
}
