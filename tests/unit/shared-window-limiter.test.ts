import { describe, expect, it } from "vitest";
import { SharedWindowLimiter, type SharedCount, type SyncCounts } from "@/lib/security/shared-window-limiter";

const MINUTE = 60_000;

/** The shared store as PostgreSQL keeps it (RateLimitBucket): one row per key, with its window and count. */
function sharedStore() {
  const rows = new Map<string, { windowStart: number; count: number }>();
  let calls = 0;
  let failNext = false;
  const sync: SyncCounts = async (counts) => {
    calls += 1;
    if (failNext) {
      failNext = false;
      throw new Error("database unavailable");
    }
    const answers: SharedCount[] = [];
    for (const { key, windowStart, add } of counts) {
      const row = rows.get(key);
      const w = windowStart.getTime();
      if (!row || row.windowStart < w) rows.set(key, { windowStart: w, count: add });
      else if (row.windowStart === w) row.count += add;
      const now = rows.get(key)!;
      answers.push({ key, windowStart: new Date(now.windowStart), count: now.count });
    }
    return answers;
  };
  return { rows, sync, calls: () => calls, failNextSync: () => (failNext = true) };
}

function clock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const quota = (limit: number, key = "api-key:a") => [{ key, limit, windowMs: MINUTE }];

describe("shared-window rate limiter", () => {
  it("refuses past the limit within one process without any sync, with Retry-After to the window's end", () => {
    const store = sharedStore();
    const time = clock(10 * MINUTE + 15_000);
    const limiter = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now });
    for (let i = 0; i < 3; i += 1) expect(limiter.hit(quota(3))).toBeNull();
    expect(limiter.hit(quota(3))).toEqual({ key: "api-key:a", limit: 3, retryAfterSeconds: 45 });
    expect(store.calls()).toBe(0);
    // Another subject is counted apart; a quota of 0 is off.
    expect(limiter.hit(quota(3, "api-key:b"))).toBeNull();
    for (let i = 0; i < 10; i += 1) expect(limiter.hit(quota(0, "api-ip:x"))).toBeNull();
  });

  it("counts the requests of every instance once they have synced, in one call per sync", async () => {
    const store = sharedStore();
    const time = clock(20 * MINUTE + 1000);
    const a = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now });
    const b = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now });
    for (let i = 0; i < 6; i += 1) expect(a.hit([...quota(10), ...quota(100, "api-ip:1")])).toBeNull();
    for (let i = 0; i < 3; i += 1) expect(b.hit(quota(10))).toBeNull();
    await a.flush();
    expect(store.calls()).toBe(1);
    expect(store.rows.get("api-key:a")).toEqual({ windowStart: 20 * MINUTE, count: 6 });
    expect(store.rows.get("api-ip:1")?.count).toBe(6);
    await b.flush();
    expect(store.rows.get("api-key:a")?.count).toBe(9);
    // b now knows a's 6: its 10th request passes, the 11th is refused.
    expect(b.hit(quota(10))).toBeNull();
    expect(b.hit(quota(10))?.limit).toBe(10);
    // a learns b's requests at its next sync, even with nothing of its own to add.
    expect(a.hit(quota(10))).toBeNull(); // a sees 6 + 1
    await a.flush();
    expect(store.rows.get("api-key:a")?.count).toBe(10); // b's last two are not synced yet
    expect(a.hit(quota(10))?.key).toBe("api-key:a");
    await Promise.all([a.flush(), b.flush()]);
    expect(store.rows.get("api-key:a")?.count).toBe(13);
  });

  it("learns a count another instance left in the store (a fresh process, a test setting it)", async () => {
    const store = sharedStore();
    const time = clock(30 * MINUTE + 5000);
    store.rows.set("api-key:a", { windowStart: 30 * MINUTE, count: 500 });
    const limiter = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now });
    expect(limiter.hit(quota(500))).toBeNull(); // not known yet: within the tolerance of one sync
    await limiter.flush();
    expect(store.rows.get("api-key:a")?.count).toBe(501);
    expect(limiter.hit(quota(500))?.retryAfterSeconds).toBe(55);
  });

  it("starts again in a new window, here and in the store", async () => {
    const store = sharedStore();
    const time = clock(40 * MINUTE + 50_000);
    const limiter = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now });
    for (let i = 0; i < 3; i += 1) limiter.hit(quota(2));
    await limiter.flush();
    expect(limiter.hit(quota(2))).not.toBeNull();
    time.advance(10_000);
    expect(limiter.hit(quota(2))).toBeNull();
    await limiter.flush();
    expect(store.rows.get("api-key:a")).toEqual({ windowStart: 41 * MINUTE, count: 1 });
  });

  it("keeps counts that failed to sync and sends them with the next sync", async () => {
    const store = sharedStore();
    const time = clock(50 * MINUTE);
    const errors: unknown[] = [];
    const limiter = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now, onError: (e) => errors.push(e) });
    for (let i = 0; i < 4; i += 1) limiter.hit(quota(5));
    store.failNextSync();
    await limiter.flush();
    expect(errors).toHaveLength(1);
    expect(store.rows.get("api-key:a")).toBeUndefined();
    // Still limited on what it counted itself meanwhile.
    expect(limiter.hit(quota(5))).toBeNull();
    expect(limiter.hit(quota(5))).not.toBeNull();
    await limiter.flush();
    expect(store.rows.get("api-key:a")?.count).toBe(6);
  });

  it("drops a subject once its window is over and stops syncing when nothing is active", async () => {
    const store = sharedStore();
    const time = clock(60 * MINUTE);
    const limiter = new SharedWindowLimiter(store.sync, { syncMs: 0, clock: time.now });
    limiter.hit(quota(5));
    await limiter.flush();
    expect(store.calls()).toBe(1);
    time.advance(MINUTE);
    await limiter.flush();
    expect(store.calls()).toBe(1);
  });

  it("syncs in the background every syncMs", async () => {
    const store = sharedStore();
    const limiter = new SharedWindowLimiter(store.sync, { syncMs: 20 });
    limiter.hit(quota(5, `api-key:bg-${Date.now()}`));
    await new Promise((resolve) => setTimeout(resolve, 120));
    limiter.stop();
    expect(store.calls()).toBeGreaterThanOrEqual(1);
    expect([...store.rows.values()][0]?.count).toBe(1);
  });
});
