import { createHash } from "node:crypto";
import pg from "pg";
import { Prisma } from "@/lib/generated/prisma/client";
import { TransactionAwarePool } from "./transaction-connection";
import { isoInstant } from "@/lib/billing/calendar-date";

/**
 * A list of uuids as a SQL `uuid[]` built from one text parameter. Through Prisma, an array parameter costs about two
 * microseconds of CPU per element (measured: 2.5 ms for 1,000 ids, against 0.5 ms for the query itself); the period
 * close sends several lists of a thousand ids per chunk.
 */
export function uuidArray(ids: readonly string[]): Prisma.Sql {
  return Prisma.sql`string_to_array(${ids.join(",")}, ',')::uuid[]`;
}

/**
 * Lists of instants and of flags (nulls allowed) as SQL arrays built from one text parameter each, like uuidArray: for
 * bulk statements that join several lists with unnest, which costs PostgreSQL a third of reading the same rows out of
 * a JSON document (json_to_recordset). A null travels as the word null, which no instant or flag spells.
 */
export function instantArray(values: readonly (Date | null)[]): Prisma.Sql {
  return Prisma.sql`string_to_array(${values.map((v) => (v === null ? "null" : isoInstant(v))).join(",")}, ',', 'null')::timestamptz[]`;
}

export function flagArray(values: readonly (boolean | null)[]): Prisma.Sql {
  return Prisma.sql`string_to_array(${values.map((v) => (v === null ? "null" : v ? "t" : "f")).join(",")}, ',', 'null')::boolean[]`;
}

/**
 * A timestamptz expression (e.g. `r."periodStart"`) as milliseconds since the epoch, for bulk reads: date_part works in
 * floats, cheaper than extract's numeric, so the value is a float; read it back with `instantFromEpochMs`.
 */
export function epochMsSql(expression: string): Prisma.Sql {
  return Prisma.raw(`date_part('epoch', ${expression}) * 1000`);
}

/** An instant from `epochMsSql`'s float milliseconds, rounded back to the millisecond timestamps are stored to. */
export function instantFromEpochMs(ms: number | string): Date {
  return new Date(Math.round(Number(ms)));
}

/**
 * The one PostgreSQL connection pool of a server process. Prisma (through its pg adapter, see lib/db/prisma.ts) and the
 * raw SQL hot paths (API-key checks, usage ingestion, usage aggregation) share it, so the process never holds more than
 * DB_POOL_MAX connections for request work. pg-boss keeps its own small pool (4) for the job queue.
 *
 * Sizing: requests beyond DB_POOL_MAX queue inside the pool; a request that waits longer than DB_POOL_WAIT_MS for a
 * connection fails with a pool timeout, which the API answers as 503 + Retry-After (lib/api/errors.ts) rather than 500.
 * N app processes need N × (DB_POOL_MAX + 4 + 1 health connection) server connections (see README "Deployment").
 */
export type SqlPool = pg.Pool;

export const POOL_LIMITS = {
  max: Number(process.env.DB_POOL_MAX ?? 10),
  waitMs: Number(process.env.DB_POOL_WAIT_MS ?? 3000),
  idleMs: 30_000,
} as const;

const globalForSql = globalThis as unknown as { nexaSqlPool?: pg.Pool };

export function createPool(connectionString: string, options: { max?: number; application?: string } = {}): pg.Pool {
  const pool = new TransactionAwarePool({
    connectionString,
    max: options.max ?? POOL_LIMITS.max,
    // In pg-pool this bounds both opening a connection and waiting in the queue for a free one.
    connectionTimeoutMillis: POOL_LIMITS.waitMs,
    idleTimeoutMillis: POOL_LIMITS.idleMs,
    application_name: options.application ?? "nexa-billing",
  });
  // An idle connection dropped by the server must not crash the process; the pool replaces it.
  pool.on("error", (error) => console.error("PostgreSQL pool error", error.message));
  return pool;
}

export function sqlPool(): pg.Pool {
  if (!globalForSql.nexaSqlPool) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    globalForSql.nexaSqlPool = createPool(connectionString);
  }
  return globalForSql.nexaSqlPool;
}

/**
 * Whether hot-path statements go to PostgreSQL as named prepared statements (`DB_PREPARED_STATEMENTS`, default on).
 * A named statement is parsed and planned once per connection instead of on every call; for a usage push, planning its
 * statement costs PostgreSQL more than running it. Turn it off ("off") behind a pooler that cannot keep prepared
 * statements across transactions: PgBouncer before 1.21, or with `max_prepared_statements = 0`.
 */
const NAMED_STATEMENTS = process.env.DB_PREPARED_STATEMENTS !== "off";

/**
 * A statement of the hot paths (API-key checks, usage ingestion): `named(...)` with its values is a query config that
 * node-postgres prepares once per connection under `name` (names must be unique per text: one constant per statement).
 */
export function namedStatement(name: string, text: string) {
  return (values: unknown[]): pg.QueryConfig => (NAMED_STATEMENTS ? { name, text, values } : { text, values });
}

const namesByText = new Map<string, string>();

/** At most this many texts are prepared by statementNamedByText; the ones after them are sent unnamed. */
const MAX_NAMED_SHAPES = 16;

/**
 * A hot-path statement that code assembles (Prisma.sql) in a few shapes, named after its text: each shape is prepared
 * once per connection (rateChargesUsage's statement has four). Every shape stays prepared on every connection of the
 * pool, so only the first MAX_NAMED_SHAPES texts of the process are named: a statement whose text varied with its
 * values would otherwise pile up prepared statements on the server.
 */
export function statementNamedByText(statement: Prisma.Sql): pg.QueryConfig {
  const { text, values } = statement;
  if (!NAMED_STATEMENTS) return { text, values };
  let name = namesByText.get(text);
  if (name === undefined) {
    if (namesByText.size >= MAX_NAMED_SHAPES) return { text, values };
    name = `shape_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    namesByText.set(text, name);
  }
  return { name, text, values };
}

/** Work queued in the process for the pool (e.g. usage pushes waiting to be grouped) that waited past DB_POOL_WAIT_MS. */
export class PoolBusyError extends Error {
  constructor(message = `waited more than ${POOL_LIMITS.waitMs} ms for a database connection`) {
    super(message);
    this.name = "PoolBusyError";
  }
}

/**
 * True for the error pg-pool raises when no connection became free (or could be opened) within the bounded wait, and
 * for Prisma's when a transaction could not start, or outlived its timeout, because the database is saturated.
 */
export function isPoolExhausted(error: unknown): boolean {
  for (let e = error as { message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    // By name: Next bundles this module more than once, so instanceof can miss.
    if ((e as { name?: string }).name === "PoolBusyError") return true;
    const message = typeof e.message === "string" ? e.message : "";
    if (/timeout exceeded when trying to connect|Connection terminated due to connection timeout|Unable to start a transaction in the given time|cannot be executed on an expired transaction/.test(message)) return true;
  }
  return false;
}

/** True when PostgreSQL cannot be reached at all (refused, reset, shutting down). */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let e = error as { message?: string; code?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code && ["ECONNREFUSED", "ECONNRESET", "57P01", "57P03", "08006", "08001"].includes(e.code)) return true;
    if (typeof e.message === "string" && /ECONNREFUSED|Connection terminated unexpectedly|the database system is (starting up|shutting down)/.test(e.message)) return true;
  }
  return false;
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
