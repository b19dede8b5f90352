import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { CUSTOMER_SORTS, listCustomers, listServices, SERVICE_SORTS } from "@/lib/console/directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { dashboard } from "@/lib/reports/dashboard";
import { booksToday } from "@/lib/reports/report-params";
import { CustomersTable, ServicesTable } from "@/components/console/directory-tables";
import { DashboardPanels } from "@/components/console/dashboard-panels";

export const metadata: Metadata = { title: "Console" };
export const dynamic = "force-dynamic";

export default async function ConsoleHome({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console");
  const params = await searchParams;
  const serviceQuery = parseTableQuery(params, "s_", { sortable: SERVICE_SORTS, defaultSort: "name" });
  const customerQuery = parseTableQuery(params, "c_", { sortable: CUSTOMER_SORTS, defaultSort: "legalName" });
  const [services, customers, figures] = await Promise.all([listServices(db(), serviceQuery), listCustomers(db(), customerQuery), dashboard(db(), booksToday())]);
  return (
    <div className="space-y-10">
      <DashboardPanels data={figures} />
      <div>
        <h1 className="text-2xl font-semibold">Services</h1>
        <p className="mt-1 text-sm text-slate-600">Apps that bill through Nexa Billing.</p>
        <div className="mt-4">
          <ServicesTable rows={services.rows}
            state={tableState(serviceQuery, services)} />
        </div>
      </div>
      <div>
        <h2 className="text-2xl font-semibold">Customers</h2>
        <p className="mt-1 text-sm text-slate-600">Unified billing customers and the service accounts linked to them.</p>
        <div className="mt-4">
          <CustomersTable rows={customers.rows}
            state={tableState(customerQuery, customers)} />
        </div>
      </div>
    </div>
  );
}
