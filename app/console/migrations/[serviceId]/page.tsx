import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { db } from "@/lib/db/prisma";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { readinessReport } from "@/lib/migration/readiness";
import { migrationSource } from "@/lib/migration/sources";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";
import { ButtonForm, DualRunSettingsForm, PromoteForm, RetireSourceForm, RevertPromotionForm, SourceConnectionForm, TrendChart } from "@/components/console/migration-panels";
import { loadSourceConnection } from "@/lib/migration/service-migration";
import { consoleNow } from "@/lib/console/console-clock";
import { decommissionChecklist } from "@/lib/migration/decommission";
import { dualRunHealth } from "@/lib/migration/dual-run-health";
import { acknowledgeAlertAction, promoteServiceAction, retireSourceAction, revertPromotionAction, runDualRunNowAction, runSourceImportAction, saveDualRunSettingsAction, saveSourceConnectionAction, testSourceConnectionAction } from "../actions";

export const metadata: Metadata = { title: "Migration" };
export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function MigrationPage({ params }: { params: Promise<{ serviceId: string }> }) {
  const { serviceId } = await params;
  if (!UUID.test(serviceId)) notFound();
  const migration = await db().serviceMigration.findUnique({ where: { serviceId }, include: { service: true } });
  if (!migration) notFound();
  const source = migrationSource(migration.sourceKind);
  const title = `${migration.service.name}: migration from ${source.label}`;

  if (migration.state !== "dual_run") {
    const invoices = await db().invoice.findMany({
      where: { serviceId, shadow: false, createdAt: { gte: migration.promotedAt ?? new Date(0) } },
      include: { customer: { select: { legalName: true } } },
      orderBy: [{ periodStart: "asc" }, { createdAt: "asc" }],
      take: 100,
    });
    const checklist = await decommissionChecklist(db(), serviceId);
    return (
      <div className="space-y-8">
        <PageHeader title={title} back={{ href: "/console/migrations", label: "Migrations" }}
          description={migration.state === "live" ? `Live since ${migration.promotedAt ? formatDateTime(migration.promotedAt) : "—"}, boundary ${migration.promotionBoundary ? migration.promotionBoundary.toISOString().slice(0, 10) : "—"}.` : "The old system is retired: its history stays, read-only."} />
        {migration.promotionOverrideReason ? <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" role="note">Promoted although readiness was not met: “{migration.promotionOverrideReason}”</p> : null}
        <PageSection title="First live invoices">
          <SimpleDataTable label="Live invoices" empty="No live invoice yet: the next period close issues them."
            columns={[{ key: "number", header: "Invoice", link: true }, { key: "customer", header: "Customer" }, { key: "period", header: "Period" }, { key: "status", header: "Status" }, { key: "total", header: "Total", align: "right" }]}
            rows={invoices.map((i) => ({
              number: i.number ?? "Draft", numberHref: `/console/invoices/${i.id}`, customer: i.customer.legalName,
              period: `${formatDate(i.periodStart)} – ${formatDate(i.periodEnd)}`, status: i.status, total: formatMoney(i.totalCents, i.currency),
            }))} />
        </PageSection>
        <PageSection title="Decommission checklist" description={migration.state === "retired" ? `Retired ${migration.retiredAt ? formatDateTime(migration.retiredAt) : ""}: the schedule is stopped; imports and reconciliations are kept read-only.` : `What is left before ${source.label} can be switched off.`}>
          <ul className="space-y-2" aria-label="Decommission checklist">
            {checklist!.items.map((i) => (
              <li key={i.key} data-testid={`checklist-${i.key}`} className="rounded-md border border-slate-200 bg-white p-3 text-sm">
                <p className="font-medium">{i.met ? "✓" : "✗"} {i.title}</p>
                <p className="text-slate-600">{i.detail} {i.href ? <Link className="text-sky-700 underline" href={i.href}>Open</Link> : null}</p>
              </li>
            ))}
          </ul>
          {migration.state === "live" ? <Panel><RetireSourceForm action={retireSourceAction} serviceId={serviceId} complete={checklist!.complete} /></Panel> : <p data-testid="source-retired" className="rounded-md bg-slate-100 px-3 py-2 text-sm font-medium">Source retired.</p>}
        </PageSection>
        {migration.state === "live" ? (
          <PageSection title="Undo the cutover" description="Possible until the first live invoice is finalized: the subscriptions go back to dual-run, adopted cards are forgotten.">
            <Panel><RevertPromotionForm action={revertPromotionAction} serviceId={serviceId} /></Panel>
          </PageSection>
        ) : null}
      </div>
    );
  }

  const now = await consoleNow();
  const [report, health] = await Promise.all([readinessReport(db(), serviceId, { now }), dualRunHealth(db(), serviceId)]);
  const [connection, imports] = await Promise.all([
    loadSourceConnection(db(), serviceId).catch(() => ({ connection: null, tolerance: { cents: migration.toleranceCents, percent: migration.tolerancePercent.toString() } })),
    db().importRun.findMany({ where: { serviceId }, orderBy: { startedAt: "desc" }, take: 5 }),
  ]);
  const boundary = now;
  const defaultBoundary = new Date(Date.UTC(boundary.getUTCFullYear(), boundary.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  return (
    <div className="space-y-8">
      <PageHeader title={title} back={{ href: "/console/migrations", label: "Migrations" }}
        description={<>Dual-run: billed in shadow beside {source.label} and reconciled month by month. Source settings and imports: <Link className="text-sky-700 underline" href={source.settingsHref(migration.serviceId)}>{source.label} source</Link>.</>} />
      {health.openAlerts.length ? (
        <div role="alert" data-testid="drift-alerts" className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
          <p className="font-medium">Drift alerts</p>
          {health.openAlerts.map((a) => (
            <div key={a.id} className="flex flex-wrap items-start justify-between gap-3">
              <p>{formatDateTime(a.createdAt)} — {a.message}</p>
              <ButtonForm action={acknowledgeAlertAction} fields={{ alert_id: a.id }} label="Acknowledge" pendingLabel="Saving…" />
            </div>
          ))}
        </div>
      ) : null}
      <div id="source-connection">
        <PageSection title="Source connection" description={`How Nexa Billing reads ${source.label} (read-only). Test the connection, try a dry run (rolled back), then import; the dual-run re-imports on its schedule.`}>
          <Panel>
            <SourceConnectionForm action={saveSourceConnectionAction} serviceId={serviceId} fields={source.connectionFields} storedSecrets={source.connectionFields.filter((f) => f.secret && connection.connection?.[f.key]).map((f) => f.key)}
              defaults={{ ...Object.fromEntries(source.connectionFields.filter((f) => !f.secret).map((f) => [f.key, connection.connection?.[f.key] ?? ""])), tolerance_cents: connection.tolerance.cents.toString(), tolerance_percent: connection.tolerance.percent }} />
          </Panel>
          <div className="flex flex-wrap items-start gap-4">
            <ButtonForm action={testSourceConnectionAction} fields={{ service_id: serviceId }} label="Test connection" pendingLabel="Testing…" />
            <ButtonForm action={runSourceImportAction} fields={{ service_id: serviceId, dry_run: "true" }} label="Dry run" pendingLabel="Starting…" />
            <ButtonForm action={runSourceImportAction} fields={{ service_id: serviceId, dry_run: "false" }} label="Import now" pendingLabel="Starting…" />
          </div>
          <SimpleDataTable label="Recent imports" empty="No import yet."
            columns={[{ key: "started", header: "Started", link: true }, { key: "kind", header: "Kind" }, { key: "status", header: "Status" }, { key: "counts", header: "Created / updated / unchanged / skipped / failed" }]}
            rows={imports.map((r) => ({
              started: formatDateTime(r.startedAt), startedHref: `/console/imports/${r.id}`, kind: r.dryRun ? "dry run" : "import", status: r.status,
              counts: `${r.createdCount} / ${r.updatedCount} / ${r.unchangedCount} / ${r.skippedCount} / ${r.failedCount}`,
            }))} />
        </PageSection>
      </div>
      <PageSection title="Dual-run health" description="From the latest reconciliation of each month.">
        <dl className="grid gap-4 sm:grid-cols-3" data-testid="dual-run-health">
          <div className="rounded-md border border-slate-200 bg-white p-3"><dt className="text-xs text-slate-500">Months reconciled</dt><dd className="text-xl font-semibold">{health.monthsReconciled}</dd></div>
          <div className="rounded-md border border-slate-200 bg-white p-3"><dt className="text-xs text-slate-500">Match rate</dt><dd className="text-xl font-semibold">{health.matchRatePercent === null ? "—" : `${health.matchRatePercent} %`}</dd></div>
          <div className="rounded-md border border-slate-200 bg-white p-3"><dt className="text-xs text-slate-500">Total absolute delta</dt><dd className="text-xl font-semibold">{formatMoney(health.totalAbsDeltaCents)}</dd></div>
        </dl>
        <TrendChart points={health.trend} />
        <SimpleDataTable label="Worst customers" empty="Every customer matches."
          columns={[{ key: "customer", header: "Customer", link: true }, { key: "period", header: "Month" }, { key: "status", header: "Status" }, { key: "delta", header: "Delta", align: "right" }, { key: "note", header: "Note" }]}
          rows={health.worstCustomers.map((w) => ({
            customer: w.legalName, customerHref: `/console/customers/${w.customerId}`, period: w.period, status: w.status,
            delta: w.deltaCents === null ? "—" : formatMoney(w.deltaCents), note: w.note ?? "",
          }))} />
        <Panel>
          <div className="space-y-4">
            <ButtonForm action={runDualRunNowAction} fields={{ service_id: serviceId }} label="Run dual-run now" pendingLabel="Starting…" />
            <DualRunSettingsForm action={saveDualRunSettingsAction} serviceId={serviceId} defaults={{
              schedule_cron: migration.scheduleCron ?? "", readiness_months: String(migration.readinessMonths),
              drift_alert_mismatches: String(migration.driftAlertMismatches), drift_alert_delta_cents: migration.driftAlertDeltaCents.toString(),
            }} />
          </div>
        </Panel>
      </PageSection>
      <PageSection title="Readiness" description={report.ready ? "Every condition is met: the service can be promoted to live." : "Each unmet condition lists what is wrong, with a link to fix it."}>
        <p data-testid="readiness-verdict" className={`rounded-md px-3 py-2 text-sm font-medium ${report.ready ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-900"}`}>
          {report.ready ? "Ready for cutover." : `Not ready: ${report.conditions.filter((c) => !c.met).length} condition(s) unmet.`}
        </p>
        <SimpleDataTable label="Reconciled months"
          columns={[{ key: "period", header: "Month", link: true }, { key: "state", header: "Reconciled" }, { key: "match", header: "Match", align: "right" }, { key: "delta", header: "Delta", align: "right" }, { key: "error", header: "Error", align: "right" }, { key: "unlinked", header: "Not imported", align: "right" }, { key: "at", header: "Last run" }]}
          rows={report.months.map((m) => ({
            period: m.period, periodHref: `/console/reconciliation?service=${serviceId}&period=${m.period}`, state: m.reconciled ? "yes" : "no",
            match: String(m.match), delta: String(m.delta), error: String(m.error), unlinked: String(m.unlinked), at: m.reconciledAt ? formatDateTime(m.reconciledAt) : "never",
          }))} />
        <ul className="space-y-3" aria-label="Readiness conditions">
          {report.conditions.map((c) => (
            <li key={c.key} data-testid={`condition-${c.key}`} className="rounded-md border border-slate-200 bg-white p-3">
              <p className="text-sm font-medium">{c.met ? "✓" : "✗"} {c.title}{c.met ? "" : ` — ${c.problems.length} to fix`}</p>
              {c.met ? null : (
                <ul className="mt-2 list-disc space-y-1 pl-6 text-sm">
                  {c.problems.map((p, i) => <li key={i}>{p.message} <Link className="text-sky-700 underline" href={p.href}>Fix</Link></li>)}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </PageSection>
      <PageSection title="Promote to live" description="Turns the service live: its shadow subscriptions move to their plans' live plans, saved cards are adopted from the old system's Stripe customers and the apps get subscription.started. Reversible until the first live invoice is finalized.">
        <Panel><PromoteForm action={promoteServiceAction} serviceId={serviceId} ready={report.ready} defaultBoundary={defaultBoundary} /></Panel>
      </PageSection>
    </div>
  );
}
