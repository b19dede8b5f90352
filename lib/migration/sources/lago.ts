/** A Lago instance, read through its API v1, as a migration source (lib/lago-source holds the importer and reconciliation). */
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { executeLagoImportRun, startLagoImportRun } from "@/lib/lago-source/importer";
import { apiUrlProblem, checkLagoConnection, readInvoices, readOpenInvoices, type LagoConnection } from "@/lib/lago-source/lago-api";
import { feesByMonth, lastInvoicedPeriodEnds, monthDigest, readFeesOfMonths, reconcileLagoMonth } from "@/lib/lago-source/reconciliation";
import type { MigrationSource } from "../source";
import { loadSourceConnection, refuseRetired } from "../service-migration";

async function configured(client: Db, serviceId: string): Promise<{ connection: LagoConnection; tolerance: { cents: bigint; percent: string } }> {
  const own = await loadSourceConnection(client, serviceId);
  const apiUrl = own.connection?.apiUrl;
  const apiKey = own.connection?.apiKey;
  if (!apiUrl || !apiKey) {
    throw new DomainError("invalid", "validation_errors", { [apiUrl ? "api_key" : "api_url"]: ["value_is_mandatory"] }, "Set this service's Lago API URL and API key first.");
  }
  return { connection: { apiUrl, apiKey }, tolerance: own.tolerance };
}

export const lagoSource: MigrationSource = {
  kind: "lago",
  label: "Lago",
  settingsHref: (serviceId) => `/console/migrations/${serviceId}#source-connection`,
  connectionFields: [
    { key: "apiUrl", label: "Lago API URL", secret: false, placeholder: "https://lago.example.com/api/v1" },
    { key: "apiKey", label: "Lago API key", secret: true },
  ],
  connectionProblems(connection) {
    const problems: Record<string, string[]> = {};
    const urlProblem = connection.apiUrl ? apiUrlProblem(connection.apiUrl) : "missing";
    if (urlProblem) problems.apiUrl = [urlProblem === "missing" ? "value_is_mandatory" : "url_is_invalid"];
    if (!connection.apiKey?.trim()) problems.apiKey = ["value_is_mandatory"];
    return Object.keys(problems).length ? problems : null;
  },

  async testConnection(client, serviceId) {
    const { connection } = await configured(client, serviceId);
    const check = await checkLagoConnection(connection);
    return {
      ok: check.ok,
      problems: check.problems,
      facts: [{ label: "API", value: connection.apiUrl }, ...check.counts.map((c) => ({ label: c.label, value: c.count === null ? "unreadable" : `${c.count}` }))],
    };
  },

  async startImport(client, input) {
    const own = await loadSourceConnection(client, input.serviceId);
    if (own.migration) refuseRetired(own.migration);
    await configured(client, input.serviceId);
    return startLagoImportRun(client, input);
  },

  async executeImport(client, runId, input) {
    const { connection } = await configured(client, input.serviceId);
    const summary = await executeLagoImportRun(client, runId, { ...input, connection });
    return summary ? summary.counts : null;
  },

  async reconcile(client, input) {
    const { connection, tolerance } = await configured(client, input.serviceId);
    return reconcileLagoMonth(client, { connection, serviceId: input.serviceId, period: input.period, tolerance });
  },

  async invoicedMonths(client, serviceId) {
    const { connection } = await configured(client, serviceId);
    return [...new Set(feesByMonth(await readInvoices(connection)).map((f) => f.period))].sort();
  },

  async monthSignatures(client, serviceId, periods) {
    const { connection } = await configured(client, serviceId);
    const fees = await readFeesOfMonths(connection, periods);
    return new Map(periods.map((p) => [p, monthDigest(fees.filter((f) => f.period === p))]));
  },

  async lastInvoicedPeriodEnds(client, serviceId) {
    const { connection } = await configured(client, serviceId);
    return lastInvoicedPeriodEnds(await readInvoices(connection));
  },

  legacyStripeCustomerId(metadata: Prisma.JsonValue) {
    const id = (metadata as { lago?: { stripeCustomerId?: unknown } } | null)?.lago?.stripeCustomerId;
    return typeof id === "string" && id ? id : null;
  },

  async openInvoices(client, serviceId) {
    const { connection } = await configured(client, serviceId);
    return (await readOpenInvoices(connection)).map((i) => ({
      id: i.number || i.lago_id, accountId: i.customer.external_id, period: i.issuing_date.slice(0, 7), status: `${i.status}, payment ${i.payment_status}`, amountCents: BigInt(i.total_amount_cents),
    }));
  },
};
