/**
 * When a dual-run month counts as reconciled: every customer row of the month is a `match` and nobody the old system
 * invoiced that month was left out (an invoiced account that never imported has no row to hold it). An `error` row —
 * an amount that could not be computed, or a subscription the old system invoiced that failed to import — never counts.
 */
import type { ReconciliationStatus } from "@/lib/generated/prisma/client";

export function monthIsReconciled(rows: { status: ReconciliationStatus }[], unlinkedAccounts = 0): boolean {
  return rows.length > 0 && unlinkedAccounts === 0 && rows.every((row) => row.status === "match");
}
