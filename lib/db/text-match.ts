/**
 * Text conditions taken literally. Prisma sends `contains` and `startsWith` to (I)LIKE as they are, so "%" and "_" in
 * what someone typed would match any text; they are escaped here ("\" is PostgreSQL's default LIKE escape).
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/** "Contains this text, ignoring case", the text taken literally. */
export function containsInsensitive(text: string) {
  return { contains: likeLiteral(text), mode: "insensitive" as const };
}
