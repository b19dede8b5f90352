import { validationError } from "./errors";
import { isoDateTime } from "./schemas/common";

/** An optional ISO-8601 date or date-time query parameter; a malformed one is 422 `invalid_date`. */
export function dateQueryParam(url: URL, key: string): Date | undefined {
  const raw = url.searchParams.get(key);
  if (raw === null) return undefined;
  const parsed = isoDateTime.safeParse(raw);
  if (!parsed.success) throw validationError({ [key]: ["invalid_date"] });
  return parsed.data;
}
