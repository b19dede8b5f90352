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
 * Those statements run with `session_replication_role = replica`, which fires no ordinary trigger (the key checks are
 * triggers), set for them alone (SET LOCAL, back to `origin` after them; a failure rolls the transaction back, and the
 * setting with it). Every other statement of the transaction, and every other writer, keeps its checks. The tables they
 * write have no trigger of their own, which the setting would skip too (tests/integration/billing-period-close.test.ts
 * checks that).
 *
 * Setting it takes a superuser, or PostgreSQL 15's `GRANT SET ON PARAMETER session_replication_role TO …`. A role with
 * neither writes the same rows with the checks (heldReferenceWritesAllowed is false): slower, the same result.
 */
export async function heldReferenceWritesAllowed(client: Db): Promise<boolean> {
  const [{ allowed }] = await client.$queryRaw<{ allowed: boolean }[]>`
    SELECT current_setting('is_superuser') = 'on' OR has_parameter_privilege('session_replication_role', 'SET') AS allowed`;
  return allowed;
}

/**
 * Runs `write` (statements on `connection` whose references the transaction holds, see above) without per-row key
 * checks when `allowed`, else as it is.
 */
export async function writeHeldReferences<T>(connection: TransactionConnection, allowed: boolean, write: () => Promise<T>): Promise<T> {
  if (!allowed) return write();
  await connection.query("SET LOCAL session_replication_role = replica");
  const result = await write();
  await connection.query("SET LOCAL session_replication_role = origin");
  return result;
}
