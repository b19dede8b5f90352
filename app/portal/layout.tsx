import Link from "next/link";
import { currentCustomer } from "@/lib/auth/customer-session";
import { customersForEmail } from "@/lib/auth/portal-email-sign-in";
import { db } from "@/lib/db/prisma";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { AccountSwitcher } from "@/components/portal/account-switcher";

const NAV = [
  { href: "/portal", label: "Overview" },
  { href: "/portal/invoices", label: "Invoices" },
  { href: "/portal/credit-notes", label: "Credit notes" },
  { href: "/portal/usage", label: "Usage" },
  { href: "/portal/payment-methods", label: "Payment methods" },
  { href: "/portal/billing-details", label: "Billing details" },
];

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const session = await currentCustomer();
  // An address on several billing accounts (a person billed personally and through a company) may open each of them.
  const accounts = session?.verifiedEmail ? await customersForEmail(db(), session.verifiedEmail) : [];
  return (
    <div className="min-h-screen bg-white">
      <header className="border-b border-slate-200">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-6 py-4">
          <span className="font-semibold">Nexa Billing · Customer portal</span>
          {session ? (
            <div className="flex items-center gap-3 text-sm">
              {accounts.length > 1 ? (
                <AccountSwitcher current={session.customerId} accounts={accounts.map((a) => ({ id: a.id, name: a.displayName ?? a.legalName }))} />
              ) : (
                <span className="text-slate-600">{session.name}</span>
              )}
              <SignOutButton callbackUrl="/portal/sign-in" />
            </div>
          ) : null}
        </div>
        {session ? (
          <nav aria-label="Portal" className="mx-auto flex max-w-5xl flex-wrap gap-x-5 gap-y-2 px-6 pb-3 text-sm">
            {NAV.map((item) => <Link key={item.href} href={item.href} className="text-slate-600 hover:text-slate-900">{item.label}</Link>)}
          </nav>
        ) : null}
      </header>
      <main className="mx-auto max-w-5xl px-6 py-10">{children}</main>
    </div>
  );
}
