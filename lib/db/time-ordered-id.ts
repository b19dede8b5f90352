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

/**
 * Writes a new id's 16 bytes into `target` at `offset` (for binary COPY, which takes a uuid as its bytes: no text made
 * and parsed back).
 */
export function writeTimeOrderedId(target: Buffer, offset: number, now = Date.now()): void {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += 16;
  let ms = now;
  if (ms > lastMs) {
    lastMs = ms;
    sequence = ((pool[r + 6] & 0x07) << 8) | pool[r + 7]; // a random start in the lower half leaves room to count up
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
  target[offset] = (high >>> 16) & 0xff;
  target[offset + 1] = (high >>> 8) & 0xff;
  target[offset + 2] = high & 0xff;
  target[offset + 3] = (low >>> 16) & 0xff;
  target[offset + 4] = (low >>> 8) & 0xff;
  target[offset + 5] = low & 0xff;
  target[offset + 6] = 0x70 | (sequence >>> 8);
  target[offset + 7] = sequence & 0xff;
  target[offset + 8] = 0x80 | (pool[r + 8] & 0x3f);
  for (let i = 9; i < 16; i++) target[offset + i] = pool[r + i];
}

const bytes = Buffer.alloc(16);
/** The id is written as ASCII into this buffer and read back as one string: joining 20 pieces of hex cost more. */
const text = Buffer.alloc(36, "-");
const HEX_DIGITS = Buffer.from("0123456789abcdef");
/** Where each byte's two hex digits go in the text form (hyphens at 8, 13, 18 and 23). */
const HEX_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

export function timeOrderedId(now = Date.now()): string {
  writeTimeOrderedId(bytes, 0, now);
  for (let i = 0; i < 16; i++) {
    text[HEX_AT[i]] = HEX_DIGITS[bytes[i] >>> 4];
    text[HEX_AT[i] + 1] = HEX_DIGITS[bytes[i] & 0x0f];
  }
  return text.toString("latin1", 0, 36);
}
