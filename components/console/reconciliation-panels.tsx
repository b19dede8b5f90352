"use client";

import type { ColumnDef } from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useActionState, useRef, useState } from "react";
import { IDLE_FORM, type FormState } from "@/lib/console/forms/form-state";
import type { PeriodSummary, ReconciliationRow } from "@/lib/console/nexacloud";
import { formatMoney } from "@/lib/format";
import { FormMessage, SubmitButton, TextField } from "@/components/forms/form-fields";
import { ServerDataTable, type ServerTableState } from "@/components/data-table/server-data-table";

export function RunReconciliationForm({ action, defaultPeriod }: { action: (state: FormState, formData: FormData) => Promise<FormState>; defaultPeriod: string }) {
  const [state, formAction] = useActionState(action, IDLE_FORM as FormState);
  return (
    <form action={formAction} className="space-y-3" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <TextField label="Month (YYYY-MM)" name="period" state={state} defaults={{ period: defaultPeriod }} />
        <div className="pb-0.5"><SubmitButton pendingLabel="Reconciling…">Run reconciliation</SubmitButton></div>
      </div>
      <div data-testid="reconciliation-result"><FormMessage state={state} /></div>
    </form>
  );
}

const money = (cents: string | null) => (cents === null ? "—" : formatMoney(BigInt(cents)));
const STATUS_STYLE: Record<string, string> = { match: "bg-emerald-100 text-emerald-800", delta: "bg-amber-100 text-amber-800", error: "bg-red-100 text-red-800" };

const columns: ColumnDef<ReconciliationRow, unknown>[] = [
  { id: "customer", accessorKey: "customer", header: "Customer", cell: ({ row }) => <Link href={`/console/reconciliation/${row.original.id}`} className="font-medium text-sky-700 hover:underline">{row.original.customer}</Link> },
  { id: "userId", header: "NexaCloud user", enableSorting: false, cell: ({ row }) => row.original.userId ?? "—" },
  { id: "period", accessorKey: "period", header: "Month" },
  { id: "status", accessorKey: "status", header: "Status", cell: ({ row }) => <span className={`rounded-full px-2 py-0.5 text-xs ${STATUS_STYLE[row.original.status]}`}>{row.original.status}</span> },
  { id: "computedCents", accessorKey: "computedCents", header: "Nexa Billing", cell: ({ row }) => money(row.original.computedCents) },
  { id: "externalCents", accessorKey: "externalCents", header: "NexaCloud", cell: ({ row }) => money(row.original.externalCents) },
  { id: "deltaCents", accessorKey: "deltaCents", header: "Delta", cell: ({ row }) => money(row.original.deltaCents) },
  { id: "note", header: "Note", enableSorting: false, cell: ({ row }) => <span className="text-slate-600">{row.original.note}</span> },
];

/** Rows with filters by month, status and size of delta (in dollars), kept in the URL like the table's own state. */
export function ReconciliationTable({ rows, state, periods, filters, exportHref }: {
  rows: ReconciliationRow[];
  state: ServerTableState;
  periods: string[];
  filters: { period: string; status: string; minDelta: string };
  exportHref: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [minDelta, setMinDelta] = useState(filters.minDelta);
  // The filters as last chosen here, ahead of the address bar: a navigation is applied only when the server answers, so
  // a status picked just before Apply is not in the URL yet. Every change sends all three filters from this copy.
  const chosen = useRef({ period: filters.period, status: filters.status, min_delta: filters.minDelta });
  const set = (changes: Partial<typeof chosen.current>) => {
    chosen.current = { ...chosen.current, ...changes };
    const next = new URLSearchParams(typeof window === "undefined" ? params.toString() : window.location.search);
    for (const [key, value] of Object.entries(chosen.current)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete("c_page");
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };
  // At the moment of the click: the filters chosen here and the table's text filter and order from the address bar.
  const currentExportHref = () => {
    const url = new URL(exportHref, window.location.origin);
    const location = new URLSearchParams(window.location.search);
    for (const key of ["c_q", "c_sort", "c_dir"]) {
      const value = location.get(key);
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    for (const [key, value] of Object.entries(chosen.current)) {
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    return `${url.pathname}${url.search}`;
  };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-4 text-sm text-slate-600">
        <label className="flex items-center gap-2">Month
          <select aria-label="Month filter" defaultValue={filters.period} onChange={(e) => set({ period: e.target.value })} className="rounded-md border border-slate-300 px-2 py-1">
            <option value="">All</option>
            {periods.map((p) => <option key={p} value={p}>{p}</option>)}
          </select>
        </label>
        <label className="flex items-center gap-2">Status
          <select aria-label="Status filter" defaultValue={filters.status} onChange={(e) => set({ status: e.target.value })} className="rounded-md border border-slate-300 px-2 py-1">
            <option value="">All</option>
            <option value="match">Match</option>
            <option value="delta">Delta</option>
            <option value="error">Error</option>
          </select>
        </label>
        <form onSubmit={(e) => { e.preventDefault(); set({ min_delta: minDelta.trim() }); }} className="flex items-center gap-2">
          <label className="flex items-center gap-2">|Delta| at least $
            <input aria-label="Minimum delta in dollars" value={minDelta} onChange={(e) => setMinDelta(e.target.value)} inputMode="decimal" className="w-24 rounded-md border border-slate-300 px-2 py-1" />
          </label>
          <button type="submit" className="rounded-md border border-slate-300 px-3 py-1">Apply</button>
        </form>
        <a href={exportHref} onClick={(e) => { e.currentTarget.href = currentExportHref(); }} className="ml-auto rounded-md border border-slate-300 px-3 py-1.5 hover:bg-white">Export CSV</a>
      </div>
      <ServerDataTable label="Reconciliation rows" columns={columns} data={rows} state={state} paramPrefix="c_" filterPlaceholder="Filter by customer, e-mail or NexaCloud user id…" getRowId={(r) => r.id} />
    </div>
  );
}

/** Matched % per month as bars, the month's total delta as a labelled line; plain SVG. */
export function ReconciliationChart({ summary }: { summary: PeriodSummary[] }) {
  if (summary.length === 0) return <p className="text-sm text-slate-500">No reconciliation yet.</p>;
  const width = Math.max(320, summary.length * 90);
  const height = 180;
  const top = 20;
  const bottom = 30;
  const plot = height - top - bottom;
  const slot = width / summary.length;
  const deltas = summary.map((s) => Number(BigInt(s.totalDeltaCents)) / 100);
  const maxAbs = Math.max(1, ...deltas.map(Math.abs));
  const deltaY = (d: number) => top + plot / 2 - (d / maxAbs) * (plot / 2);
  const points = summary.map((_, i) => `${slot * i + slot / 2},${deltaY(deltas[i])}`).join(" ");
  return (
    <figure className="rounded-lg border border-slate-200 bg-white p-4">
      <svg role="img" aria-label="Matched percentage and total delta per month" viewBox={`0 0 ${width} ${height}`} className="h-48 w-full max-w-3xl">
        <line x1={0} x2={width} y1={top + plot} y2={top + plot} stroke="#cbd5e1" />
        {summary.map((s, i) => {
          const h = (Number(s.matchedPercent) / 100) * plot;
          return (
            <g key={s.period}>
              <rect x={slot * i + slot * 0.25} y={top + plot - h} width={slot * 0.5} height={h} fill="#10b981" opacity={0.7}>
                <title>{`${s.period}: ${s.matchedPercent} % matched`}</title>
              </rect>
              <text x={slot * i + slot / 2} y={top + plot - h - 4} textAnchor="middle" fontSize={11} fill="#065f46">{s.matchedPercent}%</text>
              <text x={slot * i + slot / 2} y={height - 10} textAnchor="middle" fontSize={11} fill="#475569">{s.period}</text>
            </g>
          );
        })}
        <polyline points={points} fill="none" stroke="#d97706" strokeWidth={2} />
        {summary.map((s, i) => (
          <circle key={s.period} cx={slot * i + slot / 2} cy={deltaY(deltas[i])} r={3} fill="#d97706"><title>{`${s.period}: total delta ${formatMoney(BigInt(s.totalDeltaCents))}`}</title></circle>
        ))}
      </svg>
      <figcaption className="mt-2 text-xs text-slate-500">Bars: share of rows that match. Orange line: total delta (Nexa Billing − NexaCloud) per month.</figcaption>
    </figure>
  );
}
