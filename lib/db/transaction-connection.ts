import { AsyncLocalStorage } from "node:async_hooks";
import pg from "pg";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

export type TransactionConnection = pg.PoolClient;

/**
 * The node-postgres connection a Prisma interactive transaction runs on, for the few set-based statements whose
 * parameters or results are megabytes (the period close writes a chunk's invoices as one JSON document). Through
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
      if (transaction && !transaction.connection) transaction.connection = connection;
      return connection;
    });
  }
}

/**
 * Runs `work` in a Prisma interactive transaction and gives it, beside the transaction client, the connection the
 * transaction runs on. Send statements on one or the other in turn, never both at once (a connection runs one query at
 * a time).
 */
export async function withTransactionConnection<T>(
  client: PrismaClient,
  work: (tx: Prisma.TransactionClient, connection: TransactionConnection) => Promise<T>,
  options?: { timeout?: number; maxWait?: number },
): Promise<T> {
  const transaction: OpeningTransaction = {};
  return opening.run(transaction, () =>
    client.$transaction(async (tx) => {
      if (!transaction.connection) {
        throw new Error("The transaction's connection is unknown: the client's pool is not a TransactionAwarePool (lib/db/sql.ts createPool)");
      }
      return work(tx, transaction.connection);
    }, options),
  );
}

/** A `Prisma.sql` template as a node-postgres query ($1, $2… placeholders, the values as given). */
export function pgQuery(sql: Prisma.Sql): pg.QueryConfig {
  return { text: sql.text, values: sql.values };
}
