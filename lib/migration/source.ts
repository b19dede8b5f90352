/**
 * An old billing system a service migrates from. Each source is one module in ./sources that implements this interface
 * (NexaCloud's database, Lago's API); everything else in the migration path — schedule, reconciliation runs, readiness,
 * promotion, decommission — works through it, so a third source is a new module, not a fork.
 *
 * Every source is read-only on the old system and imports into a shadow service only.
 */
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";

export interface SourceConnectionCheck {
  ok: boolean;
  problems: string[];
  /** What the check found, for display (tables and row counts, API version, …). */
  facts: { label: string; value: string }[];
}

export interface SourceImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export interface SourceReconciliation {
  period: string;
  rows: number;
  match: number;
  delta: number;
  error: number;
  /** Accounts the old system invoiced that month that have no imported customer. */
  unlinked: { accountId: string; externalCents: bigint }[];
}

export interface SourceOpenInvoice {
  id: string;
  accountId: string;
  period: string;
  status: string;
  amountCents: bigint | null;
}

export interface SourceConnectionField {
  key: string;
  label: string;
  /** Never shown again once saved (left blank on a later save, the stored value is kept). */
  secret: boolean;
  placeholder?: string;
}

export interface MigrationSource {
  kind: string;
  /** The old system's name, as staff read it ("NexaCloud", "Lago"). */
  label: string;
  /** The console page where the service's source connection is set and its imports are run. */
  settingsHref(serviceId: string): string;
  /** What staff enter to connect the source (stored encrypted in ServiceMigration.connectionEncrypted). */
  connectionFields: SourceConnectionField[];
  /** Field → error codes for a connection staff are about to save, or null when it can be saved. */
  connectionProblems(connection: Record<string, string>): Record<string, string[]> | null;
  testConnection(client: Db, serviceId: string): Promise<SourceConnectionCheck>;
  /** Creates an ImportRun (refused while another runs) … */
  startImport(client: Db, input: { serviceId: string; dryRun: boolean; startedById: string | null }): Promise<string>;
  /** … and carries it out, recording counts, progress and log on it. Null when the source failed (the run says why). */
  executeImport(client: Db, runId: string, input: { serviceId: string; dryRun: boolean; now?: Date }): Promise<SourceImportCounts | null>;
  /** Writes the month's Reconciliation rows (one per customer, upserted) and answers their tally. */
  reconcile(client: Db, input: { serviceId: string; period: string }): Promise<SourceReconciliation>;
  /** Months (YYYY-MM) the old system invoiced, oldest first. */
  invoicedMonths(client: Db, serviceId: string): Promise<string[]>;
  /** Per month, a digest of what the old system invoiced (a changed digest means the month changed at the source). */
  monthSignatures(client: Db, serviceId: string, periods: string[]): Promise<Map<string, string>>;
  /** Per account (account link external id): where the old system's last invoiced period ended. */
  lastInvoicedPeriodEnds(client: Db, serviceId: string): Promise<Map<string, Date>>;
  /** The old system's Stripe customer id kept in an imported customer's metadata, if any. */
  legacyStripeCustomerId(metadata: Prisma.JsonValue): string | null;
  /** Invoices the old system has not settled (decommission checklist). */
  openInvoices(client: Db, serviceId: string): Promise<SourceOpenInvoice[]>;
}
