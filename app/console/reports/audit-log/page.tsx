import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { ACTOR_TYPES, auditFilterParams, queryAuditLog } from "@/lib/audit/audit-query";
import { db } from "@/lib/db/prisma";
import { DomainError } from "@/lib/errors";
import type { SearchParams } from "@/lib/console/table-query";
import { PageHeader, Panel } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Audit log" };
export const dynamic = "force-dynamic";

const FIELDS = [
  { name: "actor", label: "Actor", placeholder: "e-mail, service code or id" },
  { name: "action", label: "Action", placeholder: "invoice. or invoice.voided" },
  { name: "entity_type", label: "Entity", placeholder: "Invoice" },
  { name: "entity_id", label: "Entity id", placeholder: "id" },
] as const;

export default async function AuditLogPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const staff = await requireStaffPage("/console/reports/audit-log");
  const header = <PageHeader title="Audit log" back={{ href: "/console/reports", label: "Reports" }} description="Who changed what and when, newest first. Days are days in Toronto." />;
  if (staff.role === "viewer") return <div className="space-y-4">{header}<p role="alert" className="text-red-700">Your role only lets you view: the audit log needs finance. Ask an administrator.</p></div>;
  const params = await searchParams;
  const filter = auditFilterParams(params);
  let result;
  try {
    result = await queryAuditLog(db(), filter, Number(params.page ?? 1));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return <div className="space-y-4">{header}<p role="alert" className="text-red-700">{error.message}</p></div>;
  }
  const query = new URLSearchParams(Object.entries(params).filter(([k, v]) => k !== "page" && typeof v === "string" && v !== "") as [string, string][]).toString();
  const pageHref = (page: number) => `?${query}${query ? "&" : ""}page=${page}`;
  return (
    <div className="space-y-6">
      {header}
      <Panel>
        <form className="flex flex-wrap items-end gap-3 text-sm" method="get">
          {FIELDS.map((f) => (
            <label key={f.name} className="flex flex-col">{f.label}
              <input name={f.name} defaultValue={typeof params[f.name] === "string" ? (params[f.name] as string) : ""} placeholder={f.placeholder} className="mt-1 rounded border border-slate-300 px-2 py-1" />
            </label>
          ))}
          <label className="flex flex-col">Actor type
            <select name="actor_type" defaultValue={filter.actorType ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1">
              <option value="">Any</option>
              {ACTOR_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
          <label className="flex flex-col">From <input type="date" name="from" defaultValue={filter.from ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1" /></label>
          <label className="flex flex-col">To <input type="date" name="to" defaultValue={filter.to ?? ""} className="mt-1 rounded border border-slate-300 px-2 py-1" /></label>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Filter</button>
          <a href={`/console/reports/audit-log/export?${query}`} className="rounded-md bg-slate-900 px-4 py-1.5 font-medium text-white">Download CSV</a>
        </form>
      </Panel>
      <p className="text-sm text-slate-600">{result.total} {result.total === 1 ? "entry" : "entries"}; page {result.page} of {result.pageCount}.</p>
      <SimpleDataTable label="Audit log" empty="No entry matches these filters."
        columns={[
          { key: "at", header: "When (UTC)" }, { key: "actor", header: "Actor" }, { key: "action", header: "Action" },
          { key: "entity", header: "Entity" }, { key: "entityId", header: "Entity id" }, { key: "data", header: "Details" },
        ]}
        rows={result.rows.map((r) => {
          const data = JSON.stringify(r.data);
          return {
            at: r.at.toISOString().replace("T", " ").slice(0, 19), actor: r.actor, action: r.action, entity: r.entityType, entityId: r.entityId,
            data: data === "{}" ? "" : data.length > 160 ? `${data.slice(0, 157)}…` : data,
          };
        })} />
      <nav aria-label="Pages" className="flex gap-4 text-sm">
        {result.page > 1 ? <a href={pageHref(result.page - 1)} className="text-sky-700 hover:underline">Newer</a> : null}
        {result.page < result.pageCount ? <a href={pageHref(result.page + 1)} className="text-sky-700 hover:underline">Older</a> : null}
      </nav>
    </div>
  );
}
