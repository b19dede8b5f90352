import type { SqlPool } from "@/lib/db/sql";

/**
 * Rate limits shared by every app instance: counters live in PostgreSQL (RateLimitBucket), each updated by one atomic
 * upsert, so two instances behind a load balancer count the same requests. README "Security model → Rate limits".
 *
 * Two kinds:
 * - request quotas (`hitQuotas`): a fixed window per subject (API key, IP, e-mail address); a request over the limit
 *   is refused until the window ends. The inbound API counts the same windows in memory and syncs them here every
 *   second instead (shared-window-limiter.ts), so an API request costs no round trip for its quota;
 * - failure lockouts (`lockout`, `recordFailure`): staff sign-in failures per account and IP; from the Nth failure on,
 *   each further attempt waits twice as long as the last (30 s, 1 min, 2 min … up to the window), and a success clears it.
 */
export interface Quota {
  key: string;
  /** Requests allowed per window; 0 or less disables the quota. */
  limit: number;
  windowMs: number;
}

export interface RateLimitRefusal {
  key: string;
  limit: number;
  retryAfterSeconds: number;
}

const envLimit = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
};

const MINUTE = 60_000;

/** Limits in force, from the environment (0 turns one off). Defaults leave real clients, the tests and benchmarks room. */
export function rateLimits() {
  return {
    apiPerKey: { limit: envLimit("NEXA_RATE_LIMIT_API_PER_KEY", 12_000), windowMs: MINUTE },
    apiPerIp: { limit: envLimit("NEXA_RATE_LIMIT_API_PER_IP", 30_000), windowMs: MINUTE },
    staffSignInFailures: { limit: envLimit("NEXA_RATE_LIMIT_STAFF_FAILURES", 5), windowMs: 15 * MINUTE },
    staffSignInPerIp: { limit: envLimit("NEXA_RATE_LIMIT_STAFF_PER_IP", 100), windowMs: 15 * MINUTE },
    portalEmailPerAddress: { limit: envLimit("NEXA_RATE_LIMIT_PORTAL_EMAIL_PER_ADDRESS", 5), windowMs: 60 * MINUTE },
    portalEmailPerIp: { limit: envLimit("NEXA_RATE_LIMIT_PORTAL_EMAIL_PER_IP", 30), windowMs: 60 * MINUTE },
  };
}

/**
 * Counts one request against each quota (one statement for all of them) and returns the first one exceeded, or null.
 * A refused request still counts: hammering a closed door does not open it sooner.
 */
export async function hitQuotas(pool: SqlPool, quotas: Quota[], now = Date.now()): Promise<RateLimitRefusal | null> {
  const active = quotas.filter((q) => q.limit > 0);
  if (active.length === 0) return null;
  const windows = active.map((q) => new Date(Math.floor(now / q.windowMs) * q.windowMs));
  const { rows } = await pool.query<{ key: string; count: number }>(
    `INSERT INTO "RateLimitBucket" (key, "windowStart", count, "updatedAt")
     SELECT k, w, 1, $3 FROM unnest($1::text[], $2::timestamptz[]) AS t(k, w)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN "RateLimitBucket"."windowStart" = EXCLUDED."windowStart" THEN "RateLimitBucket".count + 1 ELSE 1 END,
       "windowStart" = EXCLUDED."windowStart",
       "updatedAt" = EXCLUDED."updatedAt"
     RETURNING key, count`,
    [active.map((q) => q.key), windows, new Date(now)],
  );
  const counts = new Map(rows.map((r) => [r.key, r.count]));
  for (const [i, quota] of active.entries()) {
    if ((counts.get(quota.key) ?? 0) > quota.limit) {
      const windowEnd = windows[i].getTime() + quota.windowMs;
      return { key: quota.key, limit: quota.limit, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
    }
  }
  return null;
}

const BACKOFF_BASE_MS = 30_000;

/** How long a subject with `failures` failures (at or over `limit`) must wait after its last one. */
export function lockoutMs(failures: number, limit: number, windowMs: number): number {
  if (limit <= 0 || failures < limit) return 0;
  return Math.min(windowMs, BACKOFF_BASE_MS * 2 ** Math.min(20, failures - limit));
}

/** The wait still due for a subject after its failures, or null when it may try now. */
export async function lockout(pool: SqlPool, key: string, rule: { limit: number; windowMs: number }, now = Date.now()): Promise<RateLimitRefusal | null> {
  if (rule.limit <= 0) return null;
  const { rows } = await pool.query<{ count: number; updatedAt: Date }>(`SELECT count, "updatedAt" FROM "RateLimitBucket" WHERE key = $1`, [key]);
  const row = rows[0];
  if (!row || now - row.updatedAt.getTime() >= rule.windowMs) return null;
  const until = row.updatedAt.getTime() + lockoutMs(row.count, rule.limit, rule.windowMs);
  return until > now ? { key, limit: rule.limit, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) } : null;
}

/** Records one failure; failures older than the window are forgotten first. */
export async function recordFailure(pool: SqlPool, key: string, rule: { windowMs: number }, now = Date.now()): Promise<void> {
  await pool.query(
    `INSERT INTO "RateLimitBucket" (key, "windowStart", count, "updatedAt") VALUES ($1, $2, 1, $2)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN "RateLimitBucket"."updatedAt" <= $2::timestamptz - make_interval(secs => $3) THEN 1 ELSE "RateLimitBucket".count + 1 END,
       "windowStart" = CASE WHEN "RateLimitBucket"."updatedAt" <= $2::timestamptz - make_interval(secs => $3) THEN $2 ELSE "RateLimitBucket"."windowStart" END,
       "updatedAt" = $2`,
    [key, new Date(now), rule.windowMs / 1000],
  );
}

export async function clearFailures(pool: SqlPool, key: string): Promise<void> {
  await pool.query(`DELETE FROM "RateLimitBucket" WHERE key = $1`, [key]);
}

/** Drops counters idle for a day (called now and then; stale rows only cost space). */
export async function pruneRateLimits(pool: SqlPool, now = Date.now()): Promise<void> {
  await pool.query(`DELETE FROM "RateLimitBucket" WHERE "updatedAt" < $1`, [new Date(now - 24 * 3600_000)]);
}

/**
 * The client's address: the right-most X-Forwarded-For entry after NEXA_TRUSTED_PROXY_HOPS trusted proxies (default 0:
 * the entry the nearest hop wrote — Next.js writes the socket's address there when no proxy did). Deploy behind a
 * proxy that appends to X-Forwarded-For, or clients could choose the address their per-IP limits count against.
 */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string {
  const raw = headers instanceof Headers ? headers.get("x-forwarded-for") : headers["x-forwarded-for"];
  const list = (Array.isArray(raw) ? raw.join(",") : (raw ?? "")).split(",").map((s) => s.trim()).filter(Boolean);
  const hops = envLimit("NEXA_TRUSTED_PROXY_HOPS", 0);
  const ip = list[Math.max(0, list.length - 1 - hops)] ?? "unknown";
  return ip.replace(/^::ffff:/, "").slice(0, 64);
}
