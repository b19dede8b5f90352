import type { Metadata } from "next";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { CUSTOMER_SORTS, listCustomers } from "@/lib/console/directory";
import { parseTableQuery, tableState, type SearchParams } from "@/lib/console/table-query";
import { db } from "@/lib/db/prisma";
import { CustomersTable } from "@/components/console/directory-tables";
import { ListPage } from "@/components/console/page-header";

export const metadata: Metadata = { title: "Customers" };
export const dynamic = "force-dynamic";

export default async function CustomersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireStaffPage("/console/customers");
  const query = parseTableQuery(await searchParams, "c_", { sortable: CUSTOMER_SORTS, defaultSort: "legalName" });
  const customers = await listCustomers(db(), query);
  return (
    <ListPage title="Customers" description="Unified billing customers and the service accounts linked to them."
      table={<CustomersTable rows={customers.rows} state={tableState(query, customers)} />} />
  );
}
