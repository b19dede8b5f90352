import { randomFillSync } from "node:crypto";

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter and 62 random bits. Rows written in bulk get
 * these as primary keys (and their children as foreign keys) so that each index takes new keys at its right-hand edge:
 * PostgreSQL then inserts into the one leaf page it has cached instead of a random page of the whole index, which keeps
 * a period close linear in its size once the indexes outgrow memory. A random UUIDv4 scatters every insert across the
 * index. Not a secret: an id tells when its row was made (invoices' pay links are signed, not their ids).
 *
 * The counter (rand_a, RFC 9562 method 1) starts at random in its lower half at each new millisecond and counts up
 * within it, so ids from one process sort in the order they were made.
 */
const pool = Buffer.alloc(16 * 4096); // random bytes for 4,096 ids per call into the random source
let poolOffset = pool.length;
let lastMs = -1;
let sequence = 0;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function timeOrderedId(now = Date.now()): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = pool.subarray(poolOffset, (poolOffset += 16));
  let ms = now;
  if (ms > lastMs) {
    lastMs = ms;
    sequence = ((r[6] & 0x07) << 8) | r[7]; // a random start in the lower half leaves room to count up
  } else {
    ms = lastMs; // the clock stood still or stepped back: stay on the last millisecond and count
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs = ms = lastMs + 1;
      sequence = 0;
    }
  }
  const high = Math.floor(ms / 0x1000000); // upper 24 of the 48 bits
  const low = ms % 0x1000000;
  return (
    HEX[(high >>> 16) & 0xff] + HEX[(high >>> 8) & 0xff] + HEX[high & 0xff] + HEX[(low >>> 16) & 0xff] + "-" + HEX[(low >>> 8) & 0xff] + HEX[low & 0xff] + "-" +
    HEX[0x70 | (sequence >>> 8)] + HEX[sequence & 0xff] + "-" + HEX[0x80 | (r[8] & 0x3f)] + HEX[r[9]] + "-" +
    HEX[r[10]] + HEX[r[11]] + HEX[r[12]] + HEX[r[13]] + HEX[r[14]] + HEX[r[15]]
  );
}
