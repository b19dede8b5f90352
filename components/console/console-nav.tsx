"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";

const SECTIONS = [
  { href: "/console", label: "Overview" },
  { href: "/console/customers", label: "Customers" },
  { href: "/console/services", label: "Services" },
  { href: "/console/metrics", label: "Metrics" },
  { href: "/console/plans", label: "Plans" },
  { href: "/console/coupons", label: "Coupons" },
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

function links(pathname: string, className: (current: boolean) => string) {
  return SECTIONS.map((section) => {
    const current = section.href === "/console" ? pathname === "/console" : pathname.startsWith(section.href);
    return (
      <Link key={section.href} href={section.href} aria-current={current ? "page" : undefined} className={className(current)}>
        {section.label}
      </Link>
    );
  });
}

/** The sections as a row of tabs on wide screens; on a phone, one "Menu" button that opens them as a list. */
export function ConsoleNav() {
  const pathname = usePathname();
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (menu.current) menu.current.open = false; // close the phone menu after a navigation
  }, [pathname]);
  return (
    <>
      <nav aria-label="Console" className="hidden flex-wrap items-center gap-0.5 text-sm lg:flex">
        {links(pathname, (current) => `rounded-md px-2 py-1.5 ${current ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`)}
      </nav>
      <details ref={menu} className="relative lg:hidden">
        <summary className="cursor-pointer list-none rounded-md border border-slate-300 px-3 py-1.5 text-sm">Menu</summary>
        <nav aria-label="Console menu" className="absolute left-0 z-20 mt-2 flex w-56 flex-col rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg">
          {links(pathname, (current) => `rounded px-3 py-2 ${current ? "bg-slate-900 text-white" : "text-slate-700 hover:bg-slate-100"}`)}
        </nav>
      </details>
    </>
  );
}
