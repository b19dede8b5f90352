/** CSV exports of the console's lists: every row the list's filters match (not just the page shown), in its order. */
import { currentStaff } from "@/lib/auth/staff-session";
import { csvResponse, toCsv } from "./csv";
import type { SearchParams, TablePage } from "./table-query";

const EXPORT_PAGE = 1000;
const EXPORT_LIMIT = 100_000;

/** Reads the list page by page with the list's own query (so its filters and order), up to a sane limit. */
export async function allRows<R>(read: (window: { page: number; perPage: number }) => Promise<TablePage<R>>): Promise<R[]> {
  const rows: R[] = [];
  for (let page = 1; rows.length < EXPORT_LIMIT; page++) {
    const result = await read({ page, perPage: EXPORT_PAGE });
    rows.push(...result.rows);
    if (page >= result.pageCount) break;
  }
  return rows;
}

/** Rows of plain values as CSV, one column per field (amounts stay integer cents, in columns named …Cents). */
export function rowsCsv<R extends object>(rows: R[], columns?: (keyof R & string)[]): string {
  const header = columns ?? (rows[0] ? (Object.keys(rows[0]) as (keyof R & string)[]) : []);
  return toCsv(header, rows.map((row) => header.map((key) => {
    const value = row[key] as unknown;
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return value.join("; ");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  })));
}

/** A staff-only export route: 401 for anyone else, else the CSV of `load`'s rows under `name`. */
export async function exportList<R extends object>(request: Request, name: string, load: (params: SearchParams) => Promise<R[]>, columns?: (keyof R & string)[]): Promise<Response> {
  const staff = await currentStaff();
  if (!staff) return Response.json({ error: "unauthorized", message: "Sign in as staff to export." }, { status: 401 });
  const params: SearchParams = Object.fromEntries(new URL(request.url).searchParams);
  const rows = await load(params);
  return csvResponse(rowsCsv(rows, columns), `${name}-${new Date().toISOString().slice(0, 10)}.csv`);
}
