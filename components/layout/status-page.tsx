import Link from "next/link";
import type { ReactNode } from "react";

/** A 404 or error page inside the console's or the portal's frame, with a way back. */
export function StatusPage({ code, title, children, back }: { code: string; title: string; children: ReactNode; back: { href: string; label: string } }) {
  return (
    <div className="mx-auto max-w-xl space-y-4 py-10 text-center">
      <p className="text-sm font-semibold text-slate-500">{code}</p>
      <h1 className="text-2xl font-semibold">{title}</h1>
      <div className="text-sm text-slate-600">{children}</div>
      <Link href={back.href} className="inline-block rounded-md bg-slate-900 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700">{back.label}</Link>
    </div>
  );
}
