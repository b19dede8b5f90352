import { validationError } from "./errors";

export const MAX_PER_PAGE = 100;
/** Deeper pages are refused: an offset past 10^8 rows is never a real listing, and keeps OFFSET far from overflow. */
export const MAX_PAGE = 1_000_000;

export interface PageRequest {
  page: number;
  perPage: number;
  skip: number;
  take: number;
}

export interface PaginationMeta {
  current_page: number;
  next_page: number | null;
  prev_page: number | null;
  total_pages: number;
  total_count: number;
}

function positiveInt(raw: string | null, field: string, fallback: number, max: number): number {
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw validationError({ [field]: ["value_is_invalid"] });
  // Digits beyond 2^53 are not a number we can page to: out of range rather than silently rounded.
  if (raw.length > 15 || Number(raw) > max) throw validationError({ [field]: ["value_is_out_of_range"] });
  return Number(raw);
}

/** `page` (1-based) and `per_page` (default and cap 100) from the query string. */
export function pageRequest(url: URL): PageRequest {
  const page = positiveInt(url.searchParams.get("page"), "page", 1, MAX_PAGE);
  const perPageRaw = url.searchParams.get("per_page");
  const perPage = perPageRaw !== null && /^\d{16,}$/.test(perPageRaw) ? MAX_PER_PAGE : Math.min(positiveInt(perPageRaw, "per_page", MAX_PER_PAGE, Number.MAX_SAFE_INTEGER), MAX_PER_PAGE);
  return { page, perPage, skip: (page - 1) * perPage, take: perPage };
}

/** Lago's `meta`; an empty list reports page 0 of 0 as Lago does. */
export function paginationMeta(request: PageRequest, totalCount: number): PaginationMeta {
  if (totalCount === 0) return { current_page: 0, next_page: null, prev_page: null, total_pages: 0, total_count: 0 };
  const totalPages = Math.ceil(totalCount / request.perPage);
  return {
    current_page: request.page,
    next_page: request.page < totalPages ? request.page + 1 : null,
    prev_page: request.page > 1 ? Math.min(request.page - 1, totalPages) : null,
    total_pages: totalPages,
    total_count: totalCount,
  };
}

/** Values of an array filter, accepting Rails' `key[]=a&key[]=b` as well as a plain `key=a`. */
export function arrayParam(url: URL, key: string): string[] {
  return [...url.searchParams.getAll(`${key}[]`), ...url.searchParams.getAll(key)].filter((v) => v !== "");
}
