/**
 * Reading NexaCloud's database. Every read happens inside `BEGIN READ ONLY` (PostgreSQL then refuses any write, whatever
 * the role may do), and the session is also set `default_transaction_read_only`; a SELECT-only role is all it needs.
 */
import pg from "pg";
import { SOURCE_TABLES, type SourceTable } from "./source-schema";

export interface SourcePlan { id: string; code: string; name: string; monthly_price_cents: number; included_cpu_hours: string; overage_cents_per_cpu_hour: string }
export interface SourceUser { id: string; email: string | null; name: string | null; company: string | null; province: string | null; country: string | null; created_at: Date; stripe_customer_id: string | null }
export interface SourceSubscription { id: string; user_id: string; plan_id: string | null; status: string; started_at: Date; canceled_at: Date | null; current_period_start: Date; current_period_end: Date }
export interface SourceDeployment { id: string; user_id: string; subscription_id: string | null; name: string; status: string; deleted_at: Date | null }
export interface SourceUsage { id: string; deployment_id: string | null; subscription_id: string | null; period: string; cpu_hours: string }
export interface SourceInvoiceItem { id: string; invoice_id: string; user_id: string; period: string; description: string; subtotal_cents: number }

export interface SourceSnapshot {
  plans: SourcePlan[];
  users: SourceUser[];
  subscriptions: SourceSubscription[];
  deployments: SourceDeployment[];
  usage: SourceUsage[];
}

export class SourceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceUnavailableError";
  }
}

/** Hides the password of a DSN for display and logs. */
export function redactDsn(dsn: string): string {
  try {
    const url = new URL(dsn);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(not a valid postgresql:// URL)";
  }
}

/** Runs `work` in a read-only, repeatable-read transaction on NexaCloud (one consistent snapshot), always rolled back. */
export async function withReadOnlySource<T>(dsn: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  let client: pg.Client;
  try {
    client = new pg.Client({ connectionString: dsn, connectionTimeoutMillis: 5000, statement_timeout: 60_000, application_name: "nexa-billing-importer" });
  } catch (error) {
    throw new SourceUnavailableError(`Invalid DSN: ${(error as Error).message}`);
  }
  client.on("error", () => {}); // a dropped connection surfaces as the failing query's error
  try {
    await client.connect();
  } catch (error) {
    throw new SourceUnavailableError(`Cannot reach NexaCloud at ${redactDsn(dsn)}: ${(error as Error).message}`);
  }
  try {
    await client.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
    await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return await work(client);
  } finally {
    await client.query("ROLLBACK").catch(() => {});
    await client.end().catch(() => {});
  }
}

export interface SourceTableCheck {
  table: SourceTable;
  present: boolean;
  missingColumns: string[];
  rows: number | null;
}

export interface ConnectionCheck {
  ok: boolean;
  serverVersion: string | null;
  readOnly: boolean;
  tables: SourceTableCheck[];
  problems: string[];
}

/** Reachability, the expected tables and columns, row counts. Reads nothing else and writes nothing. */
export async function checkSourceConnection(dsn: string): Promise<ConnectionCheck> {
  try {
    return await withReadOnlySource(dsn, async (client) => {
      const version = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? null;
      const readOnly = (await client.query<{ transaction_read_only: string }>("SHOW transaction_read_only")).rows[0]?.transaction_read_only === "on";
      const columns = await client.query<{ table_name: string; column_name: string }>(
        `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
        [Object.keys(SOURCE_TABLES)],
      );
      const tables: SourceTableCheck[] = [];
      const problems: string[] = [];
      for (const [table, expected] of Object.entries(SOURCE_TABLES) as [SourceTable, readonly string[]][]) {
        const present = columns.rows.filter((c) => c.table_name === table).map((c) => c.column_name);
        if (present.length === 0) {
          tables.push({ table, present: false, missingColumns: [...expected], rows: null });
          problems.push(`Table ${table} is missing.`);
          continue;
        }
        const missingColumns = expected.filter((c) => !present.includes(c));
        if (missingColumns.length) problems.push(`Table ${table} lacks ${missingColumns.join(", ")}.`);
        let rows: number | null = null;
        try {
          rows = Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`)).rows[0].n);
        } catch (error) {
          problems.push(`Cannot read ${table}: ${(error as Error).message}`);
          await client.query("ROLLBACK");
          await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
        }
        tables.push({ table, present: true, missingColumns, rows });
      }
      if (!readOnly) problems.push("The session is not read-only.");
      return { ok: problems.length === 0, serverVersion: version, readOnly, tables, problems };
    });
  } catch (error) {
    return { ok: false, serverVersion: null, readOnly: false, tables: [], problems: [(error as Error).message] };
  }
}

/** Everything the importer needs, read in one snapshot. Ids come back as text (bigint). */
export async function readSourceSnapshot(dsn: string): Promise<SourceSnapshot> {
  return withReadOnlySource(dsn, async (client) => {
    const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
    const [plans, users, subscriptions, deployments, usage] = [
      await q<SourcePlan>(`SELECT id::text, code, name, monthly_price_cents, included_cpu_hours::text, overage_cents_per_cpu_hour::text FROM plans ORDER BY plans.id`),
      await q<SourceUser>(`SELECT id::text, email, name, company, province, country, created_at, stripe_customer_id FROM users ORDER BY users.id`),
      await q<SourceSubscription>(`SELECT id::text, user_id::text, plan_id::text, status, started_at, canceled_at, current_period_start, current_period_end FROM subscriptions ORDER BY subscriptions.id`),
      await q<SourceDeployment>(`SELECT id::text, user_id::text, subscription_id::text, name, status, deleted_at FROM deployments ORDER BY deployments.id`),
      await q<SourceUsage>(`SELECT id::text, deployment_id::text, subscription_id::text, period, cpu_hours::text FROM usage ORDER BY usage.id`),
    ];
    return { plans, users, subscriptions, deployments, usage };
  });
}

/** NexaCloud's invoice items for one month (YYYY-MM), by user. */
export async function readInvoiceItems(dsn: string, period: string): Promise<SourceInvoiceItem[]> {
  return withReadOnlySource(dsn, async (client) =>
    (
      await client.query<SourceInvoiceItem>(
        `SELECT id::text, invoice_id::text, user_id::text, trim(period) AS period, description, subtotal_cents FROM invoice_items WHERE trim(period) = $1 ORDER BY invoice_items.user_id, invoice_items.invoice_id, invoice_items.id`,
        [period],
      )
    ).rows,
  );
}

/** NexaCloud's subscriptions with a plan (the free tier is never invoiced) whose life overlaps the month (YYYY-MM, UTC). */
export async function readSubscriptionsCovering(dsn: string, period: string): Promise<Pick<SourceSubscription, "id" | "user_id" | "plan_id">[]> {
  return withReadOnlySource(dsn, async (client) =>
    (
      await client.query<Pick<SourceSubscription, "id" | "user_id" | "plan_id">>(
        `SELECT id::text, user_id::text, plan_id::text FROM subscriptions
          WHERE plan_id IS NOT NULL AND started_at < ($1 || '-01')::timestamptz + interval '1 month'
            AND (canceled_at IS NULL OR canceled_at >= ($1 || '-01')::timestamptz)
          ORDER BY subscriptions.id`,
        [period],
      )
    ).rows,
  );
}

/** The months NexaCloud invoiced (YYYY-MM), oldest first. */
export async function readInvoicedMonths(dsn: string): Promise<string[]> {
  return withReadOnlySource(dsn, async (client) =>
    (await client.query<{ period: string }>(`SELECT DISTINCT trim(period) AS period FROM invoices ORDER BY 1`)).rows.map((r) => r.period),
  );
}

/** Per NexaCloud user, the last month NexaCloud invoiced (YYYY-MM). */
export async function readLastInvoicedMonths(dsn: string): Promise<{ user_id: string; period: string }[]> {
  return withReadOnlySource(dsn, async (client) =>
    (await client.query<{ user_id: string; period: string }>(`SELECT user_id::text, max(trim(period)) AS period FROM invoices GROUP BY user_id ORDER BY user_id`)).rows,
  );
}

/** NexaCloud's invoices that are neither paid nor void, with their total. */
export async function readOpenInvoices(dsn: string): Promise<{ id: string; user_id: string; period: string; status: string; total_cents: string | null }[]> {
  return withReadOnlySource(dsn, async (client) =>
    (
      await client.query<{ id: string; user_id: string; period: string; status: string; total_cents: string | null }>(
        `SELECT i.id::text, i.user_id::text, trim(i.period) AS period, i.status, (SELECT sum(subtotal_cents)::text FROM invoice_items it WHERE it.invoice_id = i.id) AS total_cents
           FROM invoices i WHERE i.status NOT IN ('paid', 'void') ORDER BY i.id`,
      )
    ).rows,
  );
}

/** Per month: how many invoice items, their total and their highest id — a cheap digest of what NexaCloud invoiced. */
export async function readMonthDigests(dsn: string, periods: string[]): Promise<{ period: string; digest: string }[]> {
  return withReadOnlySource(dsn, async (client) =>
    (
      await client.query<{ period: string; digest: string }>(
        `SELECT trim(period) AS period, count(*)::text || ':' || coalesce(sum(subtotal_cents), 0)::text || ':' || coalesce(max(id), 0)::text AS digest
           FROM invoice_items WHERE trim(period) = ANY($1::text[]) GROUP BY trim(period)`,
        [periods],
      )
    ).rows,
  );
}
