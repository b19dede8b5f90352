/** CSV for the accountant's spreadsheets: RFC 4180 quoting, amounts as dollars with two decimals (never floats). */
export type CsvCell = string | bigint | null;

/** Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote; amounts are bigints. */
function cell(value: CsvCell): string {
  if (value === null) return "";
  if (typeof value === "bigint") return dollars(value);
  // A plain number ("-50.00", a percentage) cannot be a formula and stays a number.
  const text = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Cents as a dollar amount, e.g. -1234n → "-12.34". */
export function dollars(cents: bigint): string {
  const negative = cents < BigInt(0);
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / BigInt(100)}.${String(abs % BigInt(100)).padStart(2, "0")}`;
}

export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header.map(cell).join(","), ...rows.map((r) => r.map(cell).join(","))].join("\r\n") + "\r\n";
}

export function csvResponse(csv: string, filename: string): Response {
  return new Response(csv, { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" } });
}
