/**
 * Drift alerts: a reconciled month with more mismatched accounts (delta, error, invoiced but not imported) than the
 * service allows, or a total absolute delta above its threshold, raises one alert per month until staff acknowledge it;
 * admin and finance staff are e-mailed, and the console's migration page lists open alerts.
 */
import type { Db } from "@/lib/db/prisma";
import type { MigrationAlert } from "@/lib/generated/prisma/client";
import { formatMoney } from "@/lib/format";
import { deliverMail } from "@/lib/mail/mail-transport";
import { publicBaseUrl } from "@/lib/portal/access-token";

export async function raiseDriftAlert(client: Db, input: { serviceId: string; period: string; reconciliationRunId: string }): Promise<MigrationAlert | null> {
  const [migration, run] = await Promise.all([
    client.serviceMigration.findUniqueOrThrow({ where: { serviceId: input.serviceId }, include: { service: true } }),
    client.reconciliationRun.findUniqueOrThrow({ where: { id: input.reconciliationRunId } }),
  ]);
  const mismatches = run.deltaCount + run.errorCount + run.unlinkedCount;
  const tooMany = mismatches > migration.driftAlertMismatches;
  const tooMuch = run.totalAbsDeltaCents > migration.driftAlertDeltaCents;
  if (!tooMany && !tooMuch) return null;
  const open = await client.migrationAlert.findFirst({ where: { serviceId: input.serviceId, period: input.period, acknowledgedAt: null } });
  if (open) return null; // one open alert per month: staff already know

  const message = `${migration.service.name} ${input.period}: ${mismatches} mismatched account(s) (${run.deltaCount} delta, ${run.errorCount} error, ${run.unlinkedCount} not imported), total absolute delta ${formatMoney(run.totalAbsDeltaCents)} — thresholds ${migration.driftAlertMismatches} account(s) and ${formatMoney(migration.driftAlertDeltaCents)}.`;
  const staff = await client.staffUser.findMany({ where: { disabledAt: null, role: { in: ["admin", "finance"] } }, select: { email: true }, orderBy: { email: "asc" } });
  const alert = await client.migrationAlert.create({
    data: { serviceId: input.serviceId, period: input.period, reconciliationRunId: run.id, message, emailedTo: staff.map((s) => s.email) },
  });
  const link = `${publicBaseUrl()}/console/migrations/${input.serviceId}`;
  for (const { email } of staff) {
    try {
      await deliverMail({ to: email, subject: `Dual-run drift: ${migration.service.name} ${input.period}`, text: `${message}\n\nThe month's rows: ${publicBaseUrl()}/console/reconciliation?service=${input.serviceId}&period=${input.period}\nThe migration: ${link}\n` });
    } catch (error) {
      console.error("Drift alert e-mail failed", email, (error as Error).message);
    }
  }
  return alert;
}

export async function acknowledgeDriftAlert(client: Db, alertId: string, staffId: string): Promise<void> {
  await client.migrationAlert.updateMany({ where: { id: alertId, acknowledgedAt: null }, data: { acknowledgedAt: new Date(), acknowledgedById: staffId } });
}
