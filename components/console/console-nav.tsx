"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/console", label: "Overview" },
  { href: "/console/customers", label: "Customers" },
  { href: "/console/services", label: "Services" },
  { href: "/console/metrics", label: "Metrics" },
  { href: "/console/plans", label: "Plans" },
  { href: "/console/invoices", label: "Invoices" },
  { href: "/console/collections", label: "Collections" },
  { href: "/console/payments", label: "Payments" },
  { href: "/console/reports", label: "Reports" },
  { href: "/console/imports", label: "Imports" },
  { href: "/console/reconciliation", label: "Reconciliation" },
  { href: "/console/migrations", label: "Migrations" },
  { href: "/console/staff", label: "Staff" },
  { href: "/console/settings", label: "Settings" },
] as const;

export function ConsoleNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Console" className="flex items-center gap-1 text-sm">
      {SECTIONS.map((section) => {
        const current = section.href === "/console" ? pathname === "/console" : pathname.startsWith(section.href);
        return (
          <Link key={section.href} href={section.href} aria-current={current ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 ${current ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`}>
            {section.label}
          </Link>
        );
      })}
    </nav>
  );
}
