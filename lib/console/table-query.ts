import { containsInsensitive } from "@/lib/db/text-match";

/** Server-side table state (page, page size, sort, text filter) read from URL search parameters. */
export interface TableQuery<S extends string> {
  page: number;
  perPage: number;
  sort: S;
  desc: boolean;
  filter: string;
}

export type SearchParams = Record<string, string | string[] | undefined>;

export const PAGE_SIZES = [10, 25, 50, 100] as const;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function parseTableQuery<S extends string>(
  params: SearchParams,
  prefix: string,
  options: { sortable: readonly S[]; defaultSort: S; defaultDesc?: boolean; defaultPerPage?: number },
): TableQuery<S> {
  const page = Number.parseInt(first(params[`${prefix}page`]) ?? "1", 10);
  const perPage = Number.parseInt(first(params[`${prefix}size`]) ?? String(options.defaultPerPage ?? 10), 10);
  const sortParam = first(params[`${prefix}sort`]);
  const sort = options.sortable.includes(sortParam as S) ? (sortParam as S) : options.defaultSort;
  const dir = first(params[`${prefix}dir`]);
  return {
    page: Number.isFinite(page) && page > 0 ? page : 1,
    perPage: (PAGE_SIZES as readonly number[]).includes(perPage) ? perPage : (options.defaultPerPage ?? 10),
    sort,
    desc: dir === undefined ? Boolean(options.defaultDesc) && sort === options.defaultSort : dir === "desc",
    // NUL can never match stored text (PostgreSQL refuses it in strings), so it is dropped rather than sent.
    filter: (first(params[`${prefix}q`]) ?? "").replaceAll("\u0000", "").trim().slice(0, 200),
  };
}

/** Prisma skip/take for the query, clamping the page into range once the total is known. */
export function pageWindow(query: { page: number; perPage: number }, total: number) {
  const pageCount = Math.max(1, Math.ceil(total / query.perPage));
  const page = Math.min(query.page, pageCount);
  return { page, pageCount, skip: (page - 1) * query.perPage, take: query.perPage };
}

/** One page of a console table and what its pager needs. */
export interface TablePage<R> {
  rows: R[];
  total: number;
  page: number;
  pageCount: number;
}

/** Counts, clamps the page into range, then reads that page's rows. */
export async function fetchTablePage<R>(
  query: { page: number; perPage: number },
  count: () => Promise<number>,
  read: (window: { skip: number; take: number }) => Promise<R[]>,
): Promise<TablePage<R>> {
  const total = await count();
  const window = pageWindow(query, total);
  return { rows: await read({ skip: window.skip, take: window.take }), total, page: window.page, pageCount: window.pageCount };
}

/** The state a ServerDataTable shows: the query as read from the URL and the page the server answered. */
export function tableState(query: TableQuery<string>, page: TablePage<unknown>) {
  return { ...query, page: page.page, pageCount: page.pageCount, total: page.total };
}

/** One condition per text column: the column contains `text` (taken literally), ignoring case. */
export function containsText<K extends string>(text: string, columns: readonly K[]) {
  return columns.map((column) => ({ [column]: containsInsensitive(text) }) as { [C in K]?: { contains: string; mode: "insensitive" } });
}

/** Rows with any of the text columns containing the filter (no condition for an empty filter). */
export function textFilter<K extends string>(text: string, columns: readonly K[]) {
  return text ? { OR: containsText(text, columns) } : {};
}

/** Order by the query's column (nulls last for the nullable ones), then by id so that pages never overlap. */
export function orderBySort(query: TableQuery<string>, nullable: ReadonlySet<string> = new Set()) {
  const direction = query.desc ? ("desc" as const) : ("asc" as const);
  return [nullable.has(query.sort) ? { [query.sort]: { sort: direction, nulls: "last" as const } } : { [query.sort]: direction }, { id: "asc" as const }];
}
