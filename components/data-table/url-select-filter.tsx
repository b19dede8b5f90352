"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

/**
 * A select that filters a server-side table through the URL: choosing a value sets `param` (or removes it for "All")
 * and sends the table back to its first page.
 */
export function UrlSelectFilter({ label, param, pageParam, value, options }: {
  label: string;
  param: string;
  /** The table's page parameter, reset on every change. */
  pageParam: string;
  value: string | null;
  options: { value: string; label: string }[];
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  return (
    <label className="flex items-center gap-2 text-sm text-slate-600">
      {label}
      <select
        aria-label={`${label} filter`}
        value={value ?? ""}
        onChange={(e) => {
          const next = new URLSearchParams(params.toString());
          if (e.target.value) next.set(param, e.target.value);
          else next.delete(param);
          next.delete(pageParam);
          router.replace(`${pathname}?${next.toString()}`);
        }}
        className="rounded-md border border-slate-300 px-2 py-1"
      >
        <option value="">All</option>
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </label>
  );
}
