import Link from "next/link";
import type { ReactNode } from "react";

/** A table cell's link to the row's own page. */
export function CellLink({ href, children }: { href: string; children: ReactNode }) {
  return <Link href={href} className="font-medium underline-offset-2 hover:underline">{children}</Link>;
}
