import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { TransactionAwarePool } from "@/lib/db/transaction-connection";
import { PrismaClient } from "@/lib/generated/prisma/client";

/**
 * A Prisma client on its own pool (as the app's: transaction-aware) whose connections call `onStatement` with each
 * statement's text before sending it, and whether another statement was still running on that connection then.
 */
export function statementWatchingClient(url: string, onStatement: (text: string, overlapping: boolean) => void): PrismaClient {
  const pool = new TransactionAwarePool({ connectionString: url, max: 4 });
  pool.on("connect", (connection: pg.PoolClient) => {
    const state = connection as unknown as { _activeQuery: unknown; _queryQueue: unknown[] };
    const query = connection.query.bind(connection) as (...args: unknown[]) => unknown;
    (connection as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      onStatement(String((args[0] as { text?: string })?.text ?? args[0]), Boolean(state._activeQuery) || state._queryQueue.length > 0);
      return query(...args);
    };
  });
  return new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
}
