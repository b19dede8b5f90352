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
    filter: (first(params[`${prefix}q`]) ?? "").trim().slice(0, 200),
  };
}

/** Prisma skip/take for the query, clamping the page into range once the total is known. */
export function pageWindow(query: { page: number; perPage: number }, total: number) {
  const pageCount = Math.max(1, Math.ceil(total / query.perPage));
  const page = Math.min(query.page, pageCount);
  return { page, pageCount, skip: (page - 1) * query.perPage, take: query.perPage };
}
