import type { Db } from "@/lib/db/prisma";
import type { TransactionConnection } from "@/lib/db/transaction-connection";

/**
 * Bulk writes whose every foreign key the writing transaction already holds: PostgreSQL's per-row key checks skipped.
 *
 * PostgreSQL checks a foreign key of each row written with a query of its own (a locking index lookup of the referenced
 * row, with an executor started for it). On the period close that is a million queries per 100,000 invoices, and a
 * third of the database's CPU: every line, tax and e-mail row checks its invoice, every line its subscription and
 * charge, every invoice its customer and service. The close writes rows that reference only rows it holds itself:
 * - the invoices it writes in the same transaction (lines, taxes, usage windows, e-mail rows);
 * - the subscriptions it has locked FOR UPDATE (lines, usage windows), which nothing can delete before it commits;
 * - their customers and services (invoices), which their subscriptions keep (ON DELETE RESTRICT);
 * - the charges it has share-locked itself (lines), as a key check would.
 * (Ids are never updated, so their keys' ON UPDATE CASCADE never has to reach a row the close is writing.)
 * Those statements run with `session_replication_role = replica`, which fires no ordinary trigger (the key checks are
 * triggers), set for them alone (SET LOCAL, back to `origin` after them). Every other statement of the transaction, and
 * every other writer, keeps its checks. The setting would also skip the tables' own triggers and rules and the recheck
 * of a deferrable unique key: they have none (tests/integration/billing-period-close.test.ts checks that, and pins
 * their foreign keys to the ones above). Setting it makes PostgreSQL discard the connection's cached plans: four times
 * per chunk of a thousand invoices.
 *
 * Setting it takes a superuser, or PostgreSQL 15's `GRANT SET ON PARAMETER session_replication_role TO …`. A role with
 * neither writes the same rows with the checks (heldReferenceWritesAllowed is false): slower, the same result.
 */
export async function heldReferenceWritesAllowed(client: Db): Promise<boolean> {
  const [{ superuser, version }] = await client.$queryRaw<{ superuser: boolean; version: number }[]>`
    SELECT current_setting('is_superuser') = 'on' AS superuser, current_setting('server_version_num')::int AS version`;
  if (superuser) return true;
  // has_parameter_privilege (and the grant it reads) came with PostgreSQL 15.
  if (version < 150000) return false;
  const [{ granted }] = await client.$queryRaw<{ granted: boolean }[]>`SELECT has_parameter_privilege('session_replication_role', 'SET') AS granted`;
  return granted;
}

/**
 * Runs `write` (statements on `connection` whose references the transaction holds, see above) without per-row key
 * checks when `allowed`, else as it is. An error inside leaves the setting as it is: the caller's transaction must end
 * with it (rolled back), as the close's does.
 */
export async function writeHeldReferences<T>(connection: TransactionConnection, allowed: boolean, write: () => Promise<T>): Promise<T> {
  if (!allowed) return write();
  await connection.query("SET LOCAL session_replication_role = replica");
  const result = await write();
  await connection.query("SET LOCAL session_replication_role = origin");
  return result;
}
