/** NexaCloud's PostgreSQL database as a migration source (lib/nexacloud holds the importer and the reconciliation). */
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { executeImportRun, startImportRun } from "@/lib/nexacloud/importer";
import { reconcilePeriod } from "@/lib/nexacloud/reconciliation";
import { checkSourceConnection, readInvoicedMonths, readLastInvoicedMonths, readMonthDigests, readOpenInvoices } from "@/lib/nexacloud/source-database";
import { loadSourceSettings } from "@/lib/nexacloud/source-settings";
import type { MigrationSource } from "../source";
import { monthEnd } from "../months";
import { loadSourceConnection, refuseRetired } from "../service-migration";

/**
 * The DSN and tolerance in force for the service: its own stored connection when it has one, else the Imports page's
 * settings (NEXACLOUD_DATABASE_URL or the stored DSN), which belong to the one service that page names.
 */
async function configured(client: Db, serviceId: string) {
  const own = await loadSourceConnection(client, serviceId);
  if (own.connection?.dsn) return { dsn: own.connection.dsn, tolerance: own.tolerance };
  const settings = await loadSourceSettings(client);
  if (settings.service?.id !== serviceId) {
    throw new DomainError("invalid", "validation_errors", { dsn: ["value_is_mandatory"] }, "Set this service's NexaCloud DSN first.");
  }
  if (settings.dsnError) throw new DomainError("invalid", "validation_errors", { form: ["dsn_unreadable"] }, settings.dsnError);
  if (!settings.dsn) throw new DomainError("invalid", "validation_errors", { dsn: ["value_is_mandatory"] }, "Save NexaCloud's DSN first (or set NEXACLOUD_DATABASE_URL).");
  return { dsn: settings.dsn, tolerance: { cents: settings.toleranceCents, percent: settings.tolerancePercent } };
}

export const nexacloudSource: MigrationSource = {
  kind: "nexacloud",
  label: "NexaCloud",
  settingsHref: () => "/console/imports",
  connectionFields: [{ key: "dsn", label: "NexaCloud DSN (postgresql://, a read-only role)", secret: true, placeholder: "postgresql://reader:…@host:5432/nexacloud" }],
  connectionProblems(connection) {
    return /^postgres(ql)?:\/\//.test(connection.dsn ?? "") ? null : { dsn: ["url_is_invalid"] };
  },

  async testConnection(client, serviceId) {
    const { dsn } = await configured(client, serviceId);
    const check = await checkSourceConnection(dsn);
    return {
      ok: check.ok,
      problems: check.problems,
      facts: [
        { label: "PostgreSQL", value: check.serverVersion ?? "unknown" },
        { label: "Read-only session", value: check.readOnly ? "yes" : "no" },
        ...check.tables.map((t) => ({ label: t.table, value: t.rows === null ? "missing" : `${t.rows} rows` })),
      ],
    };
  },

  async startImport(client, input) {
    const own = await loadSourceConnection(client, input.serviceId);
    if (own.migration) refuseRetired(own.migration);
    await configured(client, input.serviceId);
    return startImportRun(client, input);
  },

  async executeImport(client, runId, input) {
    const { dsn } = await configured(client, input.serviceId);
    const summary = await executeImportRun(client, runId, { ...input, dsn });
    return summary ? summary.counts : null;
  },

  async reconcile(client, input) {
    const { dsn, tolerance } = await configured(client, input.serviceId);
    const summary = await reconcilePeriod(client, { dsn, serviceId: input.serviceId, period: input.period, tolerance });
    return { ...summary, unlinked: summary.unlinked.map((u) => ({ accountId: u.userId, externalCents: u.externalCents })) };
  },

  async invoicedMonths(client, serviceId) {
    return readInvoicedMonths((await configured(client, serviceId)).dsn);
  },

  async monthSignatures(client, serviceId, periods) {
    const rows = await readMonthDigests((await configured(client, serviceId)).dsn, periods);
    return new Map(periods.map((p) => [p, rows.find((r) => r.period === p)?.digest ?? "0:0:0"]));
  },

  async lastInvoicedPeriodEnds(client, serviceId) {
    const rows = await readLastInvoicedMonths((await configured(client, serviceId)).dsn);
    // NexaCloud invoices calendar months in UTC: a month's period ends at the first instant of the next one.
    return new Map(rows.map((r) => [r.user_id, monthEnd(r.period)]));
  },

  legacyStripeCustomerId(metadata: Prisma.JsonValue) {
    const id = (metadata as { nexacloud?: { stripeCustomerId?: unknown } } | null)?.nexacloud?.stripeCustomerId;
    return typeof id === "string" && id ? id : null;
  },

  async openInvoices(client, serviceId) {
    const rows = await readOpenInvoices((await configured(client, serviceId)).dsn);
    return rows.map((r) => ({ id: r.id, accountId: r.user_id, period: r.period, status: r.status, amountCents: r.total_cents === null ? null : BigInt(r.total_cents) }));
  },
};
