import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { listServices, SERVICE_SORTS } from "@/lib/console/directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { ServicesTable } from "@/components/console/directory-tables";
import { ListPage } from "@/components/console/page-header";
import { ServiceForm } from "@/components/console/service-form";
import { createServiceAction } from "./actions";

export const metadata: Metadata = { title: "Services" };
export const dynamic = "force-dynamic";

export default async function ServicesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console/services");
  const query = parseTableQuery(await searchParams, "s_", { sortable: SERVICE_SORTS, defaultSort: "name" });
  const services = await listServices(db(), query);
  return (
    <ListPage title="Services" description="Apps that bill through Nexa Billing, each with its own API keys and webhooks."
      table={<ServicesTable rows={services.rows} state={tableState(query, services)} />}
      create={{ title: "New service", form: <ServiceForm action={createServiceAction} /> }} />
  );
}
