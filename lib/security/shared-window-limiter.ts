import type { SqlPool } from "@/lib/db/sql";
import type { Quota, RateLimitRefusal } from "./rate-limit";

/**
 * Request quotas of the inbound API without a database round trip per request. Each process counts in memory (a fixed
 * window per subject, like `hitQuotas`) and every `syncMs` sends the counts it added since the last sync to PostgreSQL in
 * one statement for all subjects (RateLimitBucket, the same rows `hitQuotas` keeps); the answer tells it what every
 * instance has counted in the window so far. A request is refused when the shared count last seen plus what this
 * process counted since reaches past the limit.
 *
 * Tolerance: within one sync interval an instance does not see the others' requests, so N instances admit at most about
 * N × (their own requests per sync interval) beyond the limit before all refuse; a fresh process learns a subject's
 * shared count at its first sync. With the defaults (1 s, limits per minute) that is a few per cent at most.
 */
export interface WindowCount {
  key: string;
  windowStart: Date;
  /** Requests counted here since the last sync (0: only asking for the shared count). */
  add: number;
}

export interface SharedCount {
  key: string;
  windowStart: Date;
  count: number;
}

/** Adds counts to the shared store and returns each subject's shared count for its current window. */
export type SyncCounts = (counts: WindowCount[], now: Date) => Promise<SharedCount[]>;

interface Entry {
  windowStart: number;
  windowMs: number;
  /** The shared count in this window at the last sync, our own synced requests included. */
  shared: number;
  /** Counted here, not yet sent. */
  pending: number;
  /** Sent, answer not yet back. */
  sending: number;
}

export class SharedWindowLimiter {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;

  constructor(
    private readonly sync: SyncCounts,
    private readonly options: { syncMs: number; clock?: () => number; onError?: (error: unknown) => void },
  ) {}

  private now(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  /**
   * Counts one request against each quota (in memory) and returns the first one exceeded, or null. A refused request
   * still counts, as with `hitQuotas`.
   */
  hit(quotas: Quota[]): RateLimitRefusal | null {
    const now = this.now();
    let refusal: RateLimitRefusal | null = null;
    for (const quota of quotas) {
      if (quota.limit <= 0) continue;
      const windowStart = Math.floor(now / quota.windowMs) * quota.windowMs;
      let entry = this.entries.get(quota.key);
      if (!entry || entry.windowStart < windowStart) {
        // A new window: what is still pending for the old one is dropped (it can no longer refuse anything).
        entry = { windowStart, windowMs: quota.windowMs, shared: 0, pending: 0, sending: 0 };
        this.entries.set(quota.key, entry);
      }
      entry.pending += 1;
      if (!refusal && entry.shared + entry.sending + entry.pending > quota.limit) {
        refusal = { key: quota.key, limit: quota.limit, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + quota.windowMs - now) / 1000)) };
      }
    }
    this.schedule();
    return refusal;
  }

  private schedule(): void {
    if (this.timer || this.options.syncMs <= 0) return;
    this.timer = setInterval(() => void this.flush(), this.options.syncMs);
    this.timer.unref?.();
  }

  /** Sends the pending counts and reads the shared ones (one call for all subjects active in their current window). */
  flush(): Promise<void> {
    this.syncing ??= this.doFlush().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doFlush(): Promise<void> {
    const now = this.now();
    const batch: { key: string; entry: Entry; add: number }[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.windowStart + entry.windowMs <= now) {
        this.entries.delete(key); // its window is over: nothing left to refuse with it
        continue;
      }
      batch.push({ key, entry, add: entry.pending });
      entry.sending += entry.pending;
      entry.pending = 0;
    }
    if (batch.length === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    try {
      const shared = await this.sync(batch.map(({ key, entry, add }) => ({ key, windowStart: new Date(entry.windowStart), add })), new Date(now));
      const byKey = new Map(shared.map((s) => [s.key, s]));
      for (const { key, entry, add } of batch) {
        entry.sending -= add;
        const answer = byKey.get(key);
        if (answer && answer.windowStart.getTime() === entry.windowStart) entry.shared = Math.max(entry.shared, answer.count);
        else entry.shared += add;
      }
    } catch (error) {
      // The counts are sent again with the next sync; meanwhile this process keeps limiting on what it knows.
      for (const { entry, add } of batch) {
        entry.sending -= add;
        entry.pending += add;
      }
      this.options.onError?.(error);
    }
  }

  /** Stops the background sync (tests; a process that exits simply drops at most one interval of counts). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * The PostgreSQL side: one upsert for every subject. A count for an older window than the row's is ignored, a newer
 * window starts the row again.
 */
export function postgresCounts(pool: () => SqlPool): SyncCounts {
  return async (counts, now) => {
    const { rows } = await pool().query<{ key: string; windowStart: Date; count: number }>(
      `INSERT INTO "RateLimitBucket" (key, "windowStart", count, "updatedAt")
       SELECT k, w, n, $4 FROM unnest($1::text[], $2::timestamptz[], $3::int[]) AS t(k, w, n)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN "RateLimitBucket"."windowStart" = EXCLUDED."windowStart" THEN "RateLimitBucket".count + EXCLUDED.count
                      WHEN "RateLimitBucket"."windowStart" < EXCLUDED."windowStart" THEN EXCLUDED.count
                      ELSE "RateLimitBucket".count END,
         "windowStart" = greatest("RateLimitBucket"."windowStart", EXCLUDED."windowStart"),
         "updatedAt" = EXCLUDED."updatedAt"
       RETURNING key, "windowStart", count`,
      [counts.map((c) => c.key), counts.map((c) => c.windowStart), counts.map((c) => c.add), now],
    );
    return rows;
  };
}

const holder = globalThis as typeof globalThis & { nexaApiRateLimiter?: SharedWindowLimiter };

/**
 * The API's limiter of this process (one per process, on globalThis because Next bundles route handlers separately).
 * NEXA_RATE_LIMIT_SYNC_MS (default 1000) sets how often the counts meet in PostgreSQL.
 */
export function apiRateLimiter(pool: () => SqlPool): SharedWindowLimiter {
  return (holder.nexaApiRateLimiter ??= new SharedWindowLimiter(postgresCounts(pool), {
    syncMs: Number(process.env.NEXA_RATE_LIMIT_SYNC_MS ?? 1000),
    onError: (error) => console.error("Rate-limit sync failed (retried at the next one):", (error as Error).message),
  }));
}
