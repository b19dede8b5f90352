import type { Db } from "@/lib/db/prisma";
import { addDays, isCalendarDate, startOfLocalDay } from "@/lib/billing/calendar-date";
import { invalidField } from "@/lib/errors";
import type { ActorType, Prisma } from "@/lib/generated/prisma/client";
import { toCsv } from "@/lib/reports/csv";
import { BOOKS_TIMEZONE } from "@/lib/reports/report-params";
import { containsInsensitive, likeLiteral } from "@/lib/db/text-match";

/**
 * The audit log viewer's query: who changed what and when, newest first. Filters: the actor (a staff member's e-mail or
 * name, a service's code or name, or an actor id — part of the text is enough), the actor type, the entity (type and
 * optionally id), the action (a prefix: "invoice." for every invoice action) and a date range of days in Toronto.
 */
export interface AuditFilter {
  actor?: string;
  actorType?: ActorType;
  entityType?: string;
  entityId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorType: ActorType;
  actorId: string | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  data: unknown;
}

export const ACTOR_TYPES: ActorType[] = ["staff", "service", "customer", "system"];
export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_LIMIT = 100_000;


async function whereOf(client: Db, filter: AuditFilter): Promise<Prisma.AuditLogWhereInput> {
  const and: Prisma.AuditLogWhereInput[] = [];
  for (const [name, value] of Object.entries(filter)) {
    if (typeof value === "string" && (value.length > 200 || value.includes("\u0000"))) throw invalidField(name, "value_is_invalid", `${name} is not a valid filter.`);
  }
  if (filter.from && !isCalendarDate(filter.from)) throw invalidField("from", "value_is_invalid", "from must be a date (YYYY-MM-DD).");
  if (filter.to && !isCalendarDate(filter.to)) throw invalidField("to", "value_is_invalid", "to must be a date (YYYY-MM-DD).");
  if (filter.from && filter.to && filter.to < filter.from) throw invalidField("to", "value_is_out_of_range", "to is before from.");
  if (filter.from) and.push({ createdAt: { gte: startOfLocalDay(filter.from, BOOKS_TIMEZONE) } });
  if (filter.to) and.push({ createdAt: { lt: startOfLocalDay(addDays(filter.to, 1), BOOKS_TIMEZONE) } });
  if (filter.actorType) and.push({ actorType: filter.actorType });
  if (filter.entityType) and.push({ entityType: { equals: filter.entityType, mode: "insensitive" } });
  if (filter.entityId) and.push({ entityId: filter.entityId });
  if (filter.action) and.push({ action: { startsWith: likeLiteral(filter.action), mode: "insensitive" } });
  const actor = filter.actor?.trim();
  if (actor) {
    const text = containsInsensitive(actor);
    const [staff, services] = await Promise.all([
      client.staffUser.findMany({ where: { OR: [{ email: text }, { name: text }] }, select: { id: true } }),
      client.service.findMany({ where: { OR: [{ code: text }, { name: text }] }, select: { id: true } }),
    ]);
    and.push({ OR: [{ actorId: actor }, { actorType: "staff", actorId: { in: staff.map((s) => s.id) } }, { actorType: "service", actorId: { in: services.map((s) => s.id) } }] });
  }
  return and.length ? { AND: and } : {};
}

async function withActors(client: Db, rows: { id: string; createdAt: Date; actorType: ActorType; actorId: string | null; action: string; entityType: string; entityId: string | null; data: unknown }[]): Promise<AuditRow[]> {
  const ids = (type: ActorType) => [...new Set(rows.filter((r) => r.actorType === type && r.actorId).map((r) => r.actorId!))];
  const uuids = (list: string[]) => list.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const [staff, services, customers] = await Promise.all([
    client.staffUser.findMany({ where: { id: { in: uuids(ids("staff")) } }, select: { id: true, email: true } }),
    client.service.findMany({ where: { id: { in: uuids(ids("service")) } }, select: { id: true, code: true } }),
    client.customer.findMany({ where: { id: { in: uuids(ids("customer")) } }, select: { id: true, legalName: true } }),
  ]);
  const names = new Map<string, string>([
    ...staff.map((s) => [`staff|${s.id}`, s.email] as const),
    ...services.map((s) => [`service|${s.id}`, `service ${s.code}`] as const),
    ...customers.map((c) => [`customer|${c.id}`, `customer ${c.legalName}`] as const),
  ]);
  return rows.map((r) => ({
    id: r.id, at: r.createdAt, actorType: r.actorType, actorId: r.actorId,
    actor: r.actorId ? names.get(`${r.actorType}|${r.actorId}`) ?? `${r.actorType} ${r.actorId}` : r.actorType,
    action: r.action, entityType: r.entityType, entityId: r.entityId, data: r.data,
  }));
}

export async function queryAuditLog(client: Db, filter: AuditFilter, page = 1): Promise<{ rows: AuditRow[]; total: number; page: number; pageCount: number }> {
  const where = await whereOf(client, filter);
  const total = await client.auditLog.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pageCount);
  const rows = await client.auditLog.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (current - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE });
  return { rows: await withActors(client, rows), total, page: current, pageCount };
}

/** Every entry the filters match (up to AUDIT_EXPORT_LIMIT), newest first, as CSV; `data` as JSON text. */
export async function auditLogCsv(client: Db, filter: AuditFilter): Promise<string> {
  const rows = await client.auditLog.findMany({ where: await whereOf(client, filter), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: AUDIT_EXPORT_LIMIT });
  return toCsv(
    ["at", "actor_type", "actor_id", "actor", "action", "entity_type", "entity_id", "data"],
    (await withActors(client, rows)).map((r) => [r.at.toISOString(), r.actorType, r.actorId, r.actor, r.action, r.entityType, r.entityId, JSON.stringify(r.data)]),
  );
}

/** The filters of the viewer's URL. */
export function auditFilterParams(params: Record<string, string | string[] | undefined>): AuditFilter {
  const one = (name: string) => (typeof params[name] === "string" && params[name] !== "" ? (params[name] as string) : undefined);
  const actorType = one("actor_type");
  return {
    actor: one("actor"), actorType: ACTOR_TYPES.includes(actorType as ActorType) ? (actorType as ActorType) : undefined,
    entityType: one("entity_type"), entityId: one("entity_id"), action: one("action"), from: one("from"), to: one("to"),
  };
}
