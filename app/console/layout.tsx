import Link from "next/link";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { SEARCH_MAX_LENGTH } from "@/lib/console/global-search";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { ConsoleNav } from "@/components/console/console-nav";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaffPage("/console");
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3 sm:px-6">
          <Link href="/console" className="whitespace-nowrap text-sm font-semibold">Nexa Billing · Console</Link>
          <form action="/console/search" role="search" className="order-last w-full sm:order-none sm:ml-auto sm:w-72">
            <label htmlFor="console-search" className="sr-only">Search customers and invoices</label>
            <input id="console-search" name="q" type="search" maxLength={SEARCH_MAX_LENGTH} placeholder="Customer, invoice number, account id, e-mail…"
              className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-slate-900 focus:outline-none" />
          </form>
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-600 sm:ml-0">
            <span className="hidden md:inline">{staff.name} <span className="text-slate-500">({staff.role})</span></span>
            <SignOutButton />
          </div>
        </div>
        <div className="mx-auto max-w-7xl px-4 pb-2 sm:px-6">
          <ConsoleNav />
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
