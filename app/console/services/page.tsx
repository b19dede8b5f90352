import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { listServices, SERVICE_SORTS } from "@/lib/console/directory";
import { parseTableQuery, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { ServicesTable } from "@/components/console/directory-tables";
import { PageHeader, PageSection, Panel } from "@/components/console/page-header";
import { ServiceForm } from "@/components/console/service-form";
import { createServiceAction } from "./actions";

export const metadata: Metadata = { title: "Services" };
export const dynamic = "force-dynamic";

export default async function ServicesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console/services");
  const query = parseTableQuery(await searchParams, "s_", { sortable: SERVICE_SORTS, defaultSort: "name" });
  const services = await listServices(db(), query);
  return (
    <div className="space-y-10">
      <PageHeader title="Services" description="Apps that bill through Nexa Billing, each with its own API keys and webhooks." />
      <ServicesTable rows={services.rows} state={{ ...query, page: services.page, pageCount: services.pageCount, total: services.total }} />
      <PageSection title="New service">
        <Panel>
          <ServiceForm action={createServiceAction} />
        </Panel>
      </PageSection>
    </div>
  );
}
