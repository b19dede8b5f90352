import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

/** The statements a transaction's connection takes: refused once the transaction has ended (see withTransactionConnection). */
export interface TransactionConnection {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(statement: string | (pg.QueryConfig & { rowMode?: "array" })): Promise<pg.QueryResult<R>>;
  /** `COPY … FROM STDIN` fed `data` (rows in the statement's format, e.g. lib/db/copy-binary.ts); resolves once the server has taken them all. */
  copy(statement: string, data: string | Buffer): Promise<void>;
}

/**
 * The node-postgres connection a Prisma interactive transaction runs on, for the few set-based statements whose
 * parameters or results are megabytes (the period close writes a chunk's invoices with COPY). Through
 * Prisma's raw queries such a parameter is serialised to JSON and parsed back before it reaches node-postgres, which
 * costs more CPU than the rest of the close; on the connection itself it is sent as it is. Statements sent there are
 * part of the transaction like any other (same connection, same BEGIN), so they commit or roll back with it.
 *
 * How it is found: Prisma's pg adapter opens a transaction by taking a connection from the pool with the promise form
 * of `connect()`. The process's pools are `TransactionAwarePool`s, which hand that connection to the transaction being
 * opened in the current async context (`withTransactionConnection` opens one context per transaction).
 */
interface OpeningTransaction {
  connection?: pg.PoolClient;
  /** Set once Prisma sends COMMIT or ROLLBACK on the connection, or gives it back to the pool. */
  ended: boolean;
}

/**
 * Watches the connection of a transaction until it goes back to the pool: Prisma ends a transaction with COMMIT or
 * ROLLBACK on it (a timeout rolls back while the transaction's callback may still be running), then releases it.
 */
function watchEnd(connection: pg.PoolClient, transaction: OpeningTransaction) {
  const { query, release } = connection;
  connection.query = function (this: pg.PoolClient, ...args: unknown[]) {
    const statement = args[0] as string | { text?: string } | undefined;
    const text = typeof statement === "string" ? statement : statement?.text;
    if (text === "COMMIT" || text === "ROLLBACK") transaction.ended = true;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof connection.query;
  connection.release = function (this: pg.PoolClient, ...args: Parameters<pg.PoolClient["release"]>) {
    transaction.ended = true;
    connection.query = query;
    connection.release = release;
    return release.apply(this, args);
  };
}

const opening = new AsyncLocalStorage<OpeningTransaction>();

export class TransactionAwarePool extends pg.Pool {
  // pg-pool's query() and its internals use the callback form, which is passed through untouched.
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
  override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<pg.PoolClient> | void {
    if (callback) return super.connect(callback);
    const transaction = opening.getStore();
    return super.connect().then((connection) => {
      if (transaction && !transaction.connection) {
        transaction.connection = connection;
        watchEnd(connection, transaction);
      }
      return connection;
    });
  }
}

/**
 * Runs `work` in a Prisma interactive transaction and gives it, beside the transaction client, the connection the
 * transaction runs on (refusing statements once the transaction has ended). Send statements on one or the other in
 * turn, never both at once (a connection runs one query at a time).
 */
export async function withTransactionConnection<T>(
  client: PrismaClient,
  work: (tx: Prisma.TransactionClient, connection: TransactionConnection) => Promise<T>,
  options?: { timeout?: number; maxWait?: number },
): Promise<T> {
  const transaction: OpeningTransaction = { ended: false };
  return opening.run(transaction, () =>
    client.$transaction(async (tx) => {
      const connection = transaction.connection;
      if (!connection) {
        throw new Error("The transaction's connection is unknown: the client's pool is not a TransactionAwarePool (lib/db/sql.ts createPool)");
      }
      // After the transaction ended (e.g. rolled back at its timeout), a statement on the connection would run outside
      // it, committed on its own or inside whoever has the connection next: refused instead.
      const refused = () => Promise.reject(new Error("The transaction has ended (committed, rolled back or timed out): statement refused"));
      const guarded: TransactionConnection = {
        query: <R extends pg.QueryResultRow>(statement: string | (pg.QueryConfig & { rowMode?: "array" })) =>
          transaction.ended ? refused() : connection.query<R>(statement as pg.QueryConfig),
        copy: (statement, data) => (transaction.ended ? refused() : copyInto(connection, statement, data)),
      };
      return work(tx, guarded);
    }, options),
  );
}

function copyInto(connection: pg.PoolClient, statement: string, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = connection.query(copyFrom(statement));
    stream.on("error", reject);
    stream.on("finish", resolve);
    stream.end(data);
  });
}

/** A `Prisma.sql` template as a node-postgres query ($1, $2… placeholders, the values as given). */
export function pgQuery(sql: Prisma.Sql): pg.QueryConfig {
  return { text: sql.text, values: sql.values };
}

/** Every column as its text, untouched by node-postgres's type parsers (the reader converts what it needs itself). */
export const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/**
 * A bulk read's rows as arrays of column text, in select order. Thousands of rows cost least this way: no JSON built
 * by PostgreSQL, no type parser per value, no object per row.
 */
export type TextRowReader = (sql: Prisma.Sql) => Promise<(string | null)[][]>;

/** Reads on the transaction's own connection (the period close). */
export function textRowsOn(connection: TransactionConnection): TextRowReader {
  return async (sql) => (await connection.query<(string | null)[]>({ rowMode: "array", types: RAW_TEXT, ...pgQuery(sql) })).rows;
}

/**
 * Reads through Prisma, for callers without a transaction connection: every column the statement selects must be text,
 * under its own name (Prisma returns rows as objects, so two columns of one name would collapse into one).
 */
export function textRowsThrough(client: Pick<Prisma.TransactionClient, "$queryRaw">): TextRowReader {
  return async (sql) => (await client.$queryRaw<Record<string, string | null>[]>(sql)).map((row) => Object.values(row));
}
