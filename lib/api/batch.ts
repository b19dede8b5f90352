import type { z } from "zod";
import { validationError } from "./errors";
import { zodErrorDetails } from "./request";

/**
 * Validates every item of a batch; any failure rejects the whole batch with errors keyed by index (Lago's shape),
 * so nothing of a bad batch is ever written.
 */
export function parseBatch<S extends z.ZodType>(
  schema: S,
  items: unknown[],
  rootKey: string,
  max: number,
  /** A faster parse of the schema's common shapes (undefined for anything else, which the schema then parses). */
  quick?: (item: unknown) => z.infer<S> | undefined,
): z.infer<S>[] {
  if (items.length === 0) throw validationError({ [rootKey]: ["no_records"] });
  if (items.length > max) throw validationError({ [rootKey]: [`too_many_records`] }, `At most ${max} items per batch`);
  const details: Record<string, Record<string, string[]>> = {};
  const parsed = items.map((item, index) => {
    const fast = quick?.(item);
    if (fast !== undefined) return fast;
    const result = schema.safeParse(item);
    if (!result.success) details[index] = zodErrorDetails(result.error, item);
    return result.success ? result.data : undefined;
  });
  if (Object.keys(details).length) throw validationError(details as unknown as Record<string, string[]>);
  return parsed as z.infer<S>[];
}
