import { isoInstant } from "@/lib/billing/calendar-date";

/**
 * Fields in PostgreSQL's COPY text format (https://www.postgresql.org/docs/current/sql-copy.html#SQL-COPY-FILE-FORMATS):
 * one line per row, fields separated by tabs, `\N` for NULL, and backslash, newline, carriage return and tab inside a
 * value written as escapes. For bulk writes where PostgreSQL's per-row cost matters: COPY reads each field straight
 * into its column's type and inserts rows in batches, without the parse, per-object hash tables and per-row executor
 * work of an INSERT … SELECT over a JSON document.
 *
 * Values that cannot hold those four characters (uuids, numbers, enum values, ISO 8601 dates and instants) go into a
 * row as they are; text goes through `copyText`, documents through `copyJson`.
 */
export const COPY_NULL = "\\N";

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Text (null and undefined as NULL). */
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return COPY_NULL;
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]) : value;
}

/** A value for a json or jsonb column (null and undefined as NULL). JSON escapes control characters itself, so only its backslashes need escaping. */
export function copyJson(value: unknown): string {
  if (value === null || value === undefined) return COPY_NULL;
  const json = JSON.stringify(value);
  return json.includes("\\") ? json.replace(/\\/g, "\\\\") : json;
}

/** An instant (null as NULL). */
export function copyInstant(value: Date | null | undefined): string {
  return value ? isoInstant(value) : COPY_NULL;
}

/**
 * A table's rows for one COPY, encoded as UTF-8 row by row into one growing buffer. Concatenating the rows into one
 * string instead costs several times more: the engine's string of many pieces is flattened (and walked) to be sent.
 */
export class CopyRows {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private length = 0;

  /** One row: its fields joined by tabs, ending in a newline. */
  add(row: string): void {
    // At most three bytes of UTF-8 per UTF-16 code unit.
    const needed = this.length + row.length * 3;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.length += this.buffer.write(row, this.length);
  }

  get isEmpty(): boolean {
    return this.length === 0;
  }

  /** The rows written so far (a view of the buffer, valid until the next `add`). */
  get data(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
