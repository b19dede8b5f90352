import Link from "next/link";
import { requireStaffPage } from "@/lib/auth/staff-session";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { ConsoleNav } from "@/components/console/console-nav";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaffPage("/console");
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center justify-between px-6 py-3">
          <div className="flex items-center gap-6">
            <Link href="/console" className="text-sm font-semibold">Nexa Billing · Console</Link>
            <ConsoleNav />
          </div>
          <div className="flex items-center gap-4 text-sm text-slate-600">
            <span>{staff.name} <span className="text-slate-400">({staff.role})</span></span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
    </div>
  );
}
