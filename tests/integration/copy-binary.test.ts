import { describe, expect, it } from "vitest";
import { BINARY_COPY, BinaryCopyRows } from "@/lib/db/copy-binary";
import { withTransactionConnection } from "@/lib/db/transaction-connection";
import { testDb } from "../support/api-fixture";

/**
 * Binary COPY against PostgreSQL itself: each value written with BinaryCopyRows must be stored exactly as PostgreSQL
 * stores the same value given as text (its own input functions), for every type the period close writes this way.
 */
describe("binary COPY", () => {
  const columns = `u uuid, t text, c char(3), k "InvoiceLineKind", q numeric(38, 12), r numeric(9, 6), n numeric, b int8, i int4, f boolean,
    j json, jb jsonb, ts timestamptz(3), d date`;

  interface Row {
    u: string | null; t: string | null; c: string | null; k: string | null; q: string | null; r: string | null; n: string | null;
    b: bigint | null; i: number; f: boolean; j: unknown; jb: unknown; ts: Date | null; d: string | null;
  }
  const rows: Row[] = [
    {
      u: "01a22a6f-64fc-7669-b655-1ec215e6f01a", t: "Forfait été — tab\there, newline\nand \\N 🍁", c: "CAD", k: "usage_charge", q: "1234.5", r: "14.975",
      n: "1.50", b: BigInt("9007199254740993"), i: 7, f: true, j: { name: 'say "hi"\t\\', list: [1, null, "é"] }, jb: { number: "NX-000001" },
      ts: new Date("2026-11-01T04:00:00.123Z"), d: "2026-11-30",
    },
    {
      u: "FFFFFFFF-0000-4000-8000-ABCDEF012345", t: "", c: "usd", k: "subscription_fee", q: "0", r: "0.000000", n: "-0.0001", b: BigInt(-42), i: -1, f: false,
      j: [], jb: {}, ts: new Date("1999-12-31T23:59:59.999Z"), d: "1970-01-01",
    },
    {
      u: "00000000-0000-0000-0000-000000000000", t: "x", c: "EUR", k: "usage_charge", q: "0.0000000000005", r: "5", n: "1e-7", b: BigInt(0), i: 0, f: true,
      j: "text", jb: [1, "two"], ts: new Date(0), d: "2000-01-01",
    },
    {
      u: null, t: null, c: null, k: null, q: null, r: null, n: null, b: null, i: 2147483647, f: false, j: null, jb: null, ts: null, d: null,
    },
    {
      u: "7b8b7aee-7048-457d-a9e9-178f4ba5d9f7", t: "far", c: "CAD", k: "subscription_fee", q: "99999999999999999999999999.999999999999", r: "999.999999",
      n: "-1e-20", b: BigInt(1), i: 3, f: true, j: {}, jb: { "": "" }, ts: new Date("9999-12-31T23:59:59.999Z"), d: "9999-12-31",
    },
  ];
  // Each twice: the second from the encoder's memo of numeric fields.
  const numerics = [...Array(2)].flatMap(() => ["12345678901234567890.123456789012", "-98765.4321", "10000", "0.1", "100000000", "-0", "0.000", "00012.3400", "+5", ".5", "5.",
    "1.5E3", "2.5e-3", "123456789012345678901234567890", "9999.9999", "0.00009999", "1e10", "-7.000000000001"]);

  it("stores every type as PostgreSQL's text input does", async () => {
    await withTransactionConnection(testDb(), async (_tx, connection) => {
      await connection.query(`CREATE TEMP TABLE copied (${columns}) ON COMMIT DROP`);
      await connection.query(`CREATE TEMP TABLE typed (${columns}) ON COMMIT DROP`);
      const binary = new BinaryCopyRows();
      expect(binary.isEmpty).toBe(true);
      for (const r of rows) {
        binary.row(14).uuid(r.u).text(r.t).text(r.c).text(r.k).numeric(r.q).numeric(r.r).numeric(r.n)
          .int8(r.b ?? 0).int4(r.i).bool(r.f).json(r.j).jsonb(r.jb).timestamptz(r.ts).date(r.d);
      }
      expect(binary.isEmpty).toBe(false);
      await connection.copy(`COPY copied FROM STDIN ${BINARY_COPY}`, binary.data);
      for (const r of rows) {
        await connection.query({
          text: `INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          values: [r.u, r.t, r.c, r.k, r.q, r.r, r.n, (r.b ?? BigInt(0)).toString(), r.i, r.f,
            r.j === null ? null : JSON.stringify(r.j), r.jb === null ? null : JSON.stringify(r.jb), r.ts?.toISOString() ?? null, r.d],
        });
      }
      const read = async (table: string) =>
        (await connection.query<{ row: string }>(`SELECT ROW(${"u t c k q r n b i f j jb ts d".split(" ").join(", ")})::text AS row FROM ${table} ORDER BY b, i`)).rows.map((x) => x.row);
      const copied = await read("copied");
      expect(copied).toEqual(await read("typed"));
      expect(copied).toHaveLength(rows.length);
      // Spot checks of what "the same as text" means: the display scale kept, instants to the millisecond, UTF-8 intact.
      const { rows: [first] } = await connection.query(`SELECT q::text, n::text, t, ts, d::text, c FROM copied WHERE i = 7`);
      expect(first).toMatchObject({ q: "1234.500000000000", n: "1.50", t: rows[0].t, d: "2026-11-30", c: "CAD" });
      expect((first.ts as Date).toISOString()).toBe("2026-11-01T04:00:00.123Z");

      await connection.query(`CREATE TEMP TABLE numbers_copied (position int4, value numeric) ON COMMIT DROP`);
      const numbers = new BinaryCopyRows();
      numerics.forEach((value, position) => numbers.row(2).int4(position).numeric(value));
      await connection.copy(`COPY numbers_copied FROM STDIN ${BINARY_COPY}`, numbers.data);
      const { rows: stored } = await connection.query<{ value: string; expected: string }>({
        text: `SELECT c.value::text AS value, (e.text::numeric)::text AS expected
                 FROM numbers_copied c JOIN unnest($1::text[]) WITH ORDINALITY AS e(text, position) ON e.position = c.position + 1 ORDER BY c.position`,
        values: [numerics],
      });
      expect(stored).toHaveLength(numerics.length);
      for (const { value, expected } of stored) expect(value).toBe(expected);
    });
  });

  it("writes the transaction's microseconds as given", async () => {
    await withTransactionConnection(testDb(), async (_tx, connection) => {
      await connection.query(`CREATE TEMP TABLE instants (at timestamptz) ON COMMIT DROP`);
      const { rows: [{ micros, now }] } = await connection.query<{ micros: string; now: string }>(
        "SELECT (extract(epoch FROM now()) * 1000000)::int8::text AS micros, now()::text AS now",
      );
      const rowsOut = new BinaryCopyRows();
      rowsOut.row(1).timestamptzMicros(Number(micros));
      await connection.copy(`COPY instants FROM STDIN ${BINARY_COPY}`, rowsOut.data);
      const { rows: [{ same }] } = await connection.query<{ same: boolean }>(`SELECT at = now() AS same FROM instants`);
      expect(same, now).toBe(true);
    });
  });

  it("lets PostgreSQL refuse a row of the wrong shape instead of storing something else", async () => {
    await expect(
      withTransactionConnection(testDb(), async (_tx, connection) => {
        await connection.query(`CREATE TEMP TABLE two (a int4, b text) ON COMMIT DROP`);
        const wrong = new BinaryCopyRows();
        wrong.row(1).int4(1);
        await connection.copy(`COPY two FROM STDIN ${BINARY_COPY}`, wrong.data);
      }),
    ).rejects.toThrow(/row field count is 1, expected 2/);
  });
});
