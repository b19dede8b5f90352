import type { Metadata } from "next";
import { db } from "@/lib/db/prisma";
import { migrationSource, migrationSourceKinds } from "@/lib/migration/sources";
import { Panel } from "@/components/console/page-header";
import { StartMigrationForm } from "@/components/console/migration-panels";
import { startMigrationAction } from "./actions";
import { PageHeader } from "@/components/console/page-header";
import { SimpleDataTable } from "@/components/data-table/simple-data-table";

export const metadata: Metadata = { title: "Migrations" };
export const dynamic = "force-dynamic";

const STATE_LABELS = { dual_run: "Dual-run", live: "Live", retired: "Source retired" } as const;

export default async function MigrationsPage() {
  const migrations = await db().serviceMigration.findMany({ include: { service: true }, orderBy: { createdAt: "asc" } });
  const free = await db().service.findMany({ where: { mode: "shadow", migration: null }, orderBy: { name: "asc" }, select: { id: true, name: true, code: true } });
  return (
    <div className="space-y-8">
      <PageHeader title="Migrations" description="Services moving over from an old billing system: dual-run, readiness, cutover to live and retirement of the source." />
      <SimpleDataTable label="Migrations" empty="No service is migrating yet: a service starts its migration with its first import."
        columns={[{ key: "service", header: "Service", link: true }, { key: "source", header: "Source" }, { key: "state", header: "State" }, { key: "promoted", header: "Promoted" }]}
        rows={migrations.map((m) => ({
          service: `${m.service.name} (${m.service.code})`, serviceHref: `/console/migrations/${m.serviceId}`,
          source: migrationSource(m.sourceKind).label, state: STATE_LABELS[m.state], promoted: m.promotedAt ? m.promotedAt.toISOString().slice(0, 10) : "—",
        }))} />
      <Panel>
        <h2 className="mb-2 text-base font-semibold">Add a source</h2>
        <StartMigrationForm action={startMigrationAction} services={free.map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))}
          sources={migrationSourceKinds().map((kind) => ({ value: kind, label: migrationSource(kind).label }))} />
      </Panel>
    </div>
  );
}
