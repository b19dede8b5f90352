/**
 * Decommissioning the old system once the service is live: a checklist (last import, last reconciliation, outstanding
 * deltas, invoices the old system has not settled) and the final "source retired" state — its dual-run schedule stops,
 * nothing is imported or reconciled any more, and its import runs and reconciliation rows stay as read-only history.
 */
import { recordAudit, staffActor } from "@/lib/audit/audit-log";
import type { Db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import { formatMoney } from "@/lib/format";
import type { PromotionActor } from "./promotion";
import { monthIsReconciled } from "./reconciled-months";
import { loadServiceMigration } from "./service-migration";

export interface ChecklistItem {
  key: "promoted" | "last_import" | "last_reconciliation" | "outstanding_deltas" | "old_open_invoices";
  title: string;
  met: boolean;
  detail: string;
  href: string | null;
}

export interface DecommissionChecklist {
  serviceId: string;
  state: string;
  items: ChecklistItem[];
  complete: boolean;
}

export async function decommissionChecklist(client: Db, serviceId: string): Promise<DecommissionChecklist> {
  const { migration, source } = await loadServiceMigration(client, serviceId);
  const items: ChecklistItem[] = [];
  items.push({
    key: "promoted", title: "The service is live", met: migration.state !== "dual_run",
    detail: migration.promotedAt ? `Promoted ${migration.promotedAt.toISOString().slice(0, 10)}, boundary ${migration.promotionBoundary?.toISOString().slice(0, 10) ?? "—"}.` : "Still in dual-run.",
    href: `/console/migrations/${serviceId}`,
  });
  const lastImport = await client.importRun.findFirst({ where: { serviceId, dryRun: false }, orderBy: { startedAt: "desc" } });
  items.push({
    key: "last_import", title: `Last import from ${source.label} succeeded`, met: lastImport?.status === "succeeded",
    detail: lastImport ? `${lastImport.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC: ${lastImport.status}, ${lastImport.failedCount} row(s) failed.` : "Never imported.",
    href: lastImport ? `/console/imports/${lastImport.id}` : source.settingsHref(serviceId),
  });
  const lastRun = await client.reconciliationRun.findFirst({ where: { serviceId }, orderBy: [{ period: "desc" }, { createdAt: "desc" }] });
  const lastRows = lastRun ? await client.reconciliation.findMany({ where: { serviceId, period: lastRun.period }, select: { status: true } }) : [];
  items.push({
    key: "last_reconciliation", title: "Last reconciled month is within tolerance", met: lastRun !== null && monthIsReconciled(lastRows, lastRun.unlinkedCount),
    detail: lastRun ? `${lastRun.period}, reconciled ${lastRun.createdAt.toISOString().slice(0, 10)}: ${lastRun.matchCount} match, ${lastRun.deltaCount} delta, ${lastRun.errorCount} error, ${lastRun.unlinkedCount} not imported.` : "Never reconciled.",
    href: lastRun ? `/console/reconciliation?service=${serviceId}&period=${lastRun.period}` : null,
  });
  const outstanding = await client.reconciliation.findMany({ where: { serviceId, status: { not: "match" } }, select: { deltaCents: true, period: true } });
  const outstandingCents = outstanding.reduce((s, r) => s + (r.deltaCents === null ? BigInt(0) : r.deltaCents < BigInt(0) ? -r.deltaCents : r.deltaCents), BigInt(0));
  items.push({
    key: "outstanding_deltas", title: "No outstanding delta or error", met: outstanding.length === 0,
    detail: outstanding.length ? `${outstanding.length} customer-month(s) not matched (${[...new Set(outstanding.map((o) => o.period))].sort().join(", ")}), ${formatMoney(outstandingCents)} in absolute delta.` : "Every reconciled customer-month matches.",
    href: `/console/reconciliation?service=${serviceId}&status=delta`,
  });
  let openDetail: string;
  let openMet = false;
  try {
    const open = await source.openInvoices(client, serviceId);
    openMet = open.length === 0;
    openDetail = open.length ? `${open.length} invoice(s) still open in ${source.label}: ${open.slice(0, 10).map((i) => `${i.id} (${i.period}, ${i.status})`).join(", ")}.` : `${source.label} has no open invoice.`;
  } catch (error) {
    openDetail = `Cannot ask ${source.label}: ${(error as Error).message}`;
  }
  items.push({ key: "old_open_invoices", title: `No open invoice left in ${source.label}`, met: openMet, detail: openDetail, href: null });
  return { serviceId, state: migration.state, items, complete: items.every((i) => i.met) };
}

/** Retires the source. Needs the service live; an incomplete checklist needs an administrator's written reason. */
export async function retireSource(client: Db, input: { serviceId: string; actor: PromotionActor; reason?: string | null }): Promise<DecommissionChecklist> {
  const checklist = await decommissionChecklist(client, input.serviceId);
  if (checklist.state === "retired") throw new DomainError("conflict", "source_retired", undefined, "The source is already retired.");
  if (checklist.state !== "live") throw new DomainError("not_allowed", "migration_not_live", undefined, "Promote the service to live before retiring its old system.");
  const unmet = checklist.items.filter((i) => !i.met);
  const reason = input.reason?.trim() || null;
  if (unmet.length && !reason) {
    throw new DomainError("not_allowed", "checklist_incomplete", Object.fromEntries(unmet.map((i) => [i.key, [i.detail]])), `Not done yet: ${unmet.map((i) => i.title.toLowerCase()).join("; ")}.`);
  }
  if (unmet.length && input.actor.role !== "admin") throw new DomainError("not_allowed", "override_needs_admin", undefined, "Only an administrator may retire a source whose checklist is incomplete.");
  if (unmet.length && reason!.length < 10) throw new DomainError("invalid", "validation_errors", { reason: ["too_short"] }, "Explain in at least 10 characters why the source is retired anyway.");
  await client.$transaction(async (tx) => {
    const updated = await tx.serviceMigration.updateMany({ where: { serviceId: input.serviceId, state: "live" }, data: { state: "retired", retiredAt: new Date(), scheduleCron: null } });
    if (updated.count === 0) throw new DomainError("conflict", "migration_not_live", undefined, "The service's migration changed meanwhile.");
    await recordAudit(tx, staffActor(input.actor.staffId), {
      action: "migration.source_retired", entityType: "Service", entityId: input.serviceId,
      data: { checklist: checklist.items.map((i) => ({ key: i.key, met: i.met, detail: i.detail })), ...(unmet.length ? { overrideReason: reason } : {}) },
    });
  });
  return decommissionChecklist(client, input.serviceId);
}
