import { notFound } from "next/navigation";
import { isUuid } from "@/lib/invoicing/service-invoices";

/**
 * Path parameters of console and portal pages. A value that can name nothing (a NUL character, which PostgreSQL refuses
 * in text, or a code longer than any stored one) is a 404 page before any query runs, never a server error.
 */
export function codeParamOrNotFound(value: string): string {
  if (value.includes("\u0000") || value.length > 255) notFound();
  return value;
}

export function uuidParamOrNotFound(value: string): string {
  if (!isUuid(value)) notFound();
  return value;
}
