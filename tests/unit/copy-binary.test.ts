import { describe, expect, it } from "vitest";
import { BinaryCopyRows, BinaryFields, numericDigits } from "@/lib/db/copy-binary";

describe("binary COPY encoding", () => {
  it("splits decimals into base-10,000 digits around the point, keeping numeric_in's display scale", () => {
    expect(numericDigits("0")).toEqual({ digits: [], weight: 0, sign: 0, dscale: 0 });
    expect(numericDigits("-0.000")).toEqual({ digits: [], weight: 0, sign: 0, dscale: 3 });
    expect(numericDigits("1.50")).toEqual({ digits: [1, 5000], weight: 0, sign: 0, dscale: 2 });
    expect(numericDigits("12345.678")).toEqual({ digits: [1, 2345, 6780], weight: 1, sign: 0, dscale: 3 });
    expect(numericDigits("-0.0001")).toEqual({ digits: [1], weight: -1, sign: 0x4000, dscale: 4 });
    expect(numericDigits("0.00001")).toEqual({ digits: [1000], weight: -2, sign: 0, dscale: 5 });
    expect(numericDigits("10000")).toEqual({ digits: [1], weight: 1, sign: 0, dscale: 0 });
    expect(numericDigits("1e-7")).toEqual({ digits: [10], weight: -2, sign: 0, dscale: 7 });
    expect(numericDigits("1.5E3")).toEqual({ digits: [1500], weight: 0, sign: 0, dscale: 0 });
    expect(numericDigits("+00012.3400")).toEqual({ digits: [12, 3400], weight: 0, sign: 0, dscale: 4 });
    expect(numericDigits(".5")).toEqual({ digits: [5000], weight: -1, sign: 0, dscale: 1 });
  });

  it("refuses what is not a decimal or a uuid instead of writing something else", () => {
    for (const bad of ["", ".", "-", "1,5", "NaN", "Infinity", " 1", "1e", "0x10"]) expect(() => numericDigits(bad), bad).toThrow(RangeError);
    const fields = new BinaryFields();
    for (const bad of ["01a22a6f64fc7669b6551ec215e6f01a", "01a22a6f-64fc-7669-b655-1ec215e6f01g", "01a22a6f-64fc-7669-b655_1ec215e6f01a", "é1a22a6f-64fc-7669-b655-1ec215e6f01a"]) {
      expect(() => fields.uuid(bad), bad).toThrow(RangeError);
    }
    expect(() => fields.timestamptz(new Date("not a date"))).toThrow(RangeError);
    expect(() => fields.date("2026-02-30")).toThrow(RangeError);
    expect(() => fields.int8(1.5)).toThrow(RangeError);
    for (const huge of ["1e999999999", "1e-999999999", "1.5e131072"]) expect(() => fields.numeric(huge), huge).toThrow(/out of numeric's range/);
    expect(fields.offset).toBe(0);
  });

  it("writes 8-byte integers exactly, as safe integers and beyond them", () => {
    const values = [BigInt(0), BigInt(-1), BigInt(4294967296), BigInt(-4294967297), BigInt(Number.MAX_SAFE_INTEGER), BigInt(Number.MIN_SAFE_INTEGER),
      BigInt("9007199254740993"), BigInt("-9223372036854775808"), BigInt("9223372036854775807")];
    const fields = new BinaryFields();
    for (const v of values) fields.int8(v);
    fields.int8(-123456789012);
    const bytes = fields.slice(0, fields.offset);
    values.forEach((v, i) => {
      expect(bytes.readInt32BE(i * 12)).toBe(8);
      expect(bytes.readBigInt64BE(i * 12 + 4)).toBe(v);
    });
    expect(bytes.readBigInt64BE(values.length * 12 + 4)).toBe(BigInt(-123456789012));
    expect(() => fields.int8(BigInt("9223372036854775808"))).toThrow(RangeError);

    // Instants far from 2000 take microseconds beyond 2^53: written exactly too.
    const far = new BinaryFields().timestamptz(new Date("9999-12-31T23:59:59.999Z")).timestamptz(new Date("0001-01-01T00:00:00.001Z"));
    const farBytes = far.slice(0, far.offset);
    expect(farBytes.readBigInt64BE(4)).toBe((BigInt(Date.UTC(9999, 11, 31, 23, 59, 59, 999)) - BigInt(Date.UTC(2000, 0, 1))) * BigInt(1000));
    expect(farBytes.readBigInt64BE(16)).toBe((BigInt(new Date("0001-01-01T00:00:00.001Z").getTime()) - BigInt(Date.UTC(2000, 0, 1))) * BigInt(1000));
  });

  it("frames rows with the signature, field lengths and the trailer, growing past its first buffer", () => {
    const rows = new BinaryCopyRows();
    const text = "Forfait été ✓ 🍁".repeat(50);
    for (let i = 0; i < 5000; i++) rows.row(3).int4(i).text(text).null();
    const data = rows.data;
    expect(data.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    expect(data.readInt32BE(11)).toBe(0); // flags
    expect(data.readInt32BE(15)).toBe(0); // header extension
    const textBytes = Buffer.byteLength(text);
    const rowBytes = 2 + 8 + 4 + textBytes + 4;
    expect(data.length).toBe(19 + 5000 * rowBytes + 2);
    const last = 19 + 4999 * rowBytes;
    expect(data.readInt16BE(last)).toBe(3);
    expect(data.readInt32BE(last + 6)).toBe(4999);
    expect(data.subarray(last + 14, last + 14 + textBytes).toString("utf8")).toBe(text);
    expect(data.readInt32BE(last + 14 + textBytes)).toBe(-1);
    expect(data.readInt16BE(data.length - 2)).toBe(-1);
  });

  it("encodes uuids, instants, dates and the jsonb version byte as PostgreSQL receives them", () => {
    const fields = new BinaryFields();
    fields.uuid("01A22A6F-64fc-7669-b655-1ec215e6f01a").timestamptz(new Date("2000-01-01T00:00:00.001Z")).timestamptz(new Date("1999-12-31T23:59:59.999Z"))
      .date("2000-01-02").date("1999-12-31").jsonb({ a: 1 }).int8(BigInt(-2));
    const bytes = fields.slice(0, fields.offset);
    expect(bytes.readInt32BE(0)).toBe(16);
    expect(bytes.subarray(4, 20).toString("hex")).toBe("01a22a6f64fc7669b6551ec215e6f01a");
    expect(bytes.readInt32BE(20)).toBe(8);
    expect(bytes.readBigInt64BE(24)).toBe(BigInt(1000));
    expect(bytes.readBigInt64BE(36)).toBe(BigInt(-1000));
    expect(bytes.readInt32BE(48)).toBe(1);
    expect(bytes.readInt32BE(56)).toBe(-1);
    expect(bytes.readInt32BE(60)).toBe(8);
    expect(bytes[64]).toBe(1);
    expect(bytes.subarray(65, 72).toString()).toBe('{"a":1}');
    expect(bytes.readBigInt64BE(76)).toBe(BigInt(-2));

    const document = { legalName: "Nexa Technologies Inc.", nested: ["é", null] };
    const once = new BinaryFields().json(document);
    const given = new BinaryFields().jsonText(JSON.stringify(document));
    expect(given.slice(0, given.offset)).toEqual(once.slice(0, once.offset));
  });

  it("makes new time-ordered ids in place: UUIDv7 bytes of this millisecond, in the order made", () => {
    const fields = new BinaryFields();
    const before = Date.now();
    for (let i = 0; i < 3; i++) fields.newTimeOrderedId();
    const bytes = fields.slice(0, fields.offset);
    const ids = [0, 1, 2].map((i) => {
      expect(bytes.readInt32BE(i * 20)).toBe(16);
      return bytes.subarray(i * 20 + 4, i * 20 + 20);
    });
    for (const id of ids) {
      expect(id[6] >>> 4).toBe(7);
      expect(id[8] >>> 6).toBe(2);
      const ms = id.readUIntBE(0, 6);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now() + 1);
    }
    expect(Buffer.compare(ids[0], ids[1])).toBe(-1);
    expect(Buffer.compare(ids[1], ids[2])).toBe(-1);
  });
});
