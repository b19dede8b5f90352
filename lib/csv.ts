/**
 * CSV cells for exports opened in spreadsheets. A cell starting with =, +, -, @ (or a tab or carriage return) would be
 * read as a formula — a customer name such as `=HYPERLINK(...)` could run in a finance person's spreadsheet — so it is
 * prefixed with an apostrophe, which spreadsheets show as text. Plain numbers (-24.50) are left as numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function csvCell(value: string | null | undefined): string {
  if (value === null || value === undefined) return "";
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: (string | null | undefined)[]): string {
  return cells.map(csvCell).join(",");
}
