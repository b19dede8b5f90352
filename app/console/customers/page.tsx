import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { CUSTOMER_SORTS, listCustomers } from "@/lib/console/directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { CustomersTable } from "@/components/console/directory-tables";
import { ListPage } from "@/components/console/page-header";
import { NewCustomerForm } from "@/components/console/customer-hub";
import { createCustomerAction } from "./actions";

export const metadata: Metadata = { title: "Customers" };
export const dynamic = "force-dynamic";

export default async function CustomersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console/customers");
  const query = parseTableQuery(await searchParams, "c_", { sortable: CUSTOMER_SORTS, defaultSort: "legalName" });
  const [customers, services] = await Promise.all([
    listCustomers(db(), query),
    db().service.findMany({ where: { mode: "live" }, select: { id: true, name: true, code: true }, orderBy: { name: "asc" } }),
  ]);
  return (
    <ListPage title="Customers" description="Unified billing customers and the service accounts linked to them."
      table={<CustomersTable rows={customers.rows} state={tableState(query, customers)} />}
      create={{ title: "New customer", form: <NewCustomerForm action={createCustomerAction} services={services.map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))} /> }} />
  );
}
