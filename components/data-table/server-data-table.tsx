"use client";

import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from "@tanstack/react-table";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState, useTransition } from "react";

export interface ServerTableState {
  page: number;
  pageCount: number;
  perPage: number;
  total: number;
  sort: string;
  desc: boolean;
  filter: string;
}

const PAGE_SIZES = [10, 25, 50, 100];

/**
 * A TanStack table whose sorting, filtering and pagination happen on the server: every change is written to the URL
 * (under `paramPrefix`, so several tables can share a page) and the server component re-queries the database.
 */
export function ServerDataTable<T>({
  label,
  columns,
  data,
  state,
  paramPrefix,
  filterPlaceholder = "Filter…",
  getRowId,
  exportPath,
}: {
  label: string;
  columns: ColumnDef<T, unknown>[];
  data: T[];
  state: ServerTableState;
  paramPrefix: string;
  filterPlaceholder?: string;
  getRowId?: (row: T) => string;
  /** The list's CSV export: linked with the page's own address parameters (filters, text filter, order). */
  exportPath?: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [filter, setFilter] = useState(state.filter);

  function navigate(changes: Record<string, string | null>) {
    const params = new URLSearchParams(searchParams.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") params.delete(paramPrefix + key);
      else params.set(paramPrefix + key, value);
    }
    startTransition(() => router.replace(`${pathname}?${params.toString()}`, { scroll: false }));
  }

  // Debounced filter: query the server 300 ms after typing stops.
  useEffect(() => {
    if (filter === state.filter) return;
    const timer = setTimeout(() => navigate({ q: filter, page: null }), 300);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter]);

  const sorting: SortingState = [{ id: state.sort, desc: state.desc }];
  // TanStack's hook returns functions the React Compiler must not memoise; this component opts out of it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns,
    getRowId,
    state: { sorting, pagination: { pageIndex: state.page - 1, pageSize: state.perPage } },
    pageCount: state.pageCount,
    manualSorting: true,
    manualPagination: true,
    manualFiltering: true,
    enableMultiSort: false,
    onSortingChange: (updater) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      const first = next[0];
      navigate({ sort: first?.id ?? null, dir: first ? (first.desc ? "desc" : "asc") : null, page: null });
    },
    getCoreRowModel: getCoreRowModel(),
  });

  return (
    <section aria-label={label} className="rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 px-4 py-3">
        <input
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder={filterPlaceholder}
          aria-label={`Filter ${label.toLowerCase()}`}
          className="w-full max-w-72 rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-slate-900 focus:outline-none"
        />
        <span className="flex items-center gap-3 text-sm text-slate-500">
          <span aria-live="polite">{pending ? "Loading…" : `${state.total} ${state.total === 1 ? "row" : "rows"}`}</span>
          {exportPath ? (
            <a href={`${exportPath}?${searchParams.toString()}`} className="rounded-md border border-slate-300 px-3 py-1 text-slate-700 hover:bg-slate-50">Export CSV</a>
          ) : null}
        </span>
      </div>
      <div className="overflow-x-auto">
        <table className="min-w-full text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th key={header.id} scope="col" className="px-4 py-2 font-medium"
                      aria-sort={sorted ? (sorted === "desc" ? "descending" : "ascending") : "none"}>
                      {header.column.getCanSort() ? (
                        <button type="button" onClick={header.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 uppercase hover:text-slate-900">
                          {flexRender(header.column.columnDef.header, header.getContext())}
                          <span aria-hidden>{sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}</span>
                        </button>
                      ) : (
                        flexRender(header.column.columnDef.header, header.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100">
            {table.getRowModel().rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="px-4 py-8 text-center text-slate-500">
                  {state.filter ? "No rows match this filter." : "Nothing here yet."}
                </td>
              </tr>
            ) : (
              table.getRowModel().rows.map((row) => (
                <tr key={row.id} className="hover:bg-slate-50">
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id} className="px-4 py-2 align-top">
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  ))}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <div className="flex items-center justify-between gap-4 border-t border-slate-200 px-4 py-3 text-sm">
        <label className="flex items-center gap-2 text-slate-600">
          Rows per page
          <select value={state.perPage} onChange={(e) => navigate({ size: e.target.value, page: null })}
            className="rounded-md border border-slate-300 px-2 py-1">
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>{size}</option>
            ))}
          </select>
        </label>
        <div className="flex items-center gap-2">
          <button type="button" disabled={state.page <= 1} onClick={() => navigate({ page: String(state.page - 1) })}
            className="rounded-md border border-slate-300 px-3 py-1 disabled:opacity-40">Previous</button>
          <span className="text-slate-600">Page {state.page} of {state.pageCount}</span>
          <button type="button" disabled={state.page >= state.pageCount} onClick={() => navigate({ page: String(state.page + 1) })}
            className="rounded-md border border-slate-300 px-3 py-1 disabled:opacity-40">Next</button>
        </div>
      </div>
    </section>
  );
}
