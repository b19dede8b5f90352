/**
 * Errors raised by domain modules, independent of HTTP. The API maps the kind to a status (see lib/api/errors.ts);
 * the console shows the message.
 */
export type DomainErrorKind = "not_found" | "invalid" | "conflict" | "forbidden" | "not_allowed";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Machine-readable code, e.g. `customer_not_found`, `validation_errors`, `idempotency_key_conflict`. */
    readonly code: string,
    /** Field → codes for `invalid`; free-form detail otherwise. */
    readonly details?: Record<string, unknown>,
    message?: string,
  ) {
    super(message ?? code);
    this.name = "DomainError";
  }
}

export const entityNotFound = (entity: string, message?: string) => new DomainError("not_found", `${entity}_not_found`, undefined, message);

export const invalidField = (field: string, code: string, message?: string) =>
  new DomainError("invalid", "validation_errors", { [field]: [code] }, message);

/** Postgres unique violation surfaced through Prisma (P2002) or the pg driver (23505). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code === "P2002" || e?.code === "23505" || e?.cause?.code === "23505";
}

/**
 * An error of the database schema, not of the rows at hand (PostgreSQL class 42: an undefined table or column, a
 * constraint that cannot be deferred, a missing privilege…): every row would fail the same way, e.g. on a database
 * whose migrations are not applied.
 */
export function isSchemaError(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string }; cause?: { code?: string } } | null;
  return [e?.code, e?.meta?.code, e?.cause?.code].some((code) => typeof code === "string" && /^42[0-9A-Z]{3}$/.test(code));
}

/** Deadlock or serialisation failure: the transaction can safely be run again. */
export function isRetryableConflict(error: unknown): boolean {
  const e = error as { code?: string; meta?: { code?: string }; message?: string } | null;
  return e?.code === "P2034" || e?.code === "40P01" || e?.code === "40001" || /\b(40P01|40001)\b/.test(e?.message ?? "");
}

/** Runs a transaction again (a few times) when Postgres aborts it for a deadlock or a serialisation conflict. */
export async function withConflictRetry<T>(run: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
