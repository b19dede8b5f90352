import { afterEach, describe, expect, it } from "vitest";
import { openSecret, sealSecret, SecretUnreadableError } from "@/lib/crypto/secret-box";
import { generateFixture } from "@/lib/nexacloud/fixture";
import { isPeriod, withinTolerance } from "@/lib/nexacloud/reconciliation";
import { redactDsn } from "@/lib/nexacloud/source-database";

const saved = { key: process.env.NEXA_ENCRYPTION_KEY, secret: process.env.NEXTAUTH_SECRET };
afterEach(() => {
  process.env.NEXA_ENCRYPTION_KEY = saved.key;
  process.env.NEXTAUTH_SECRET = saved.secret;
  if (saved.key === undefined) delete process.env.NEXA_ENCRYPTION_KEY;
  if (saved.secret === undefined) delete process.env.NEXTAUTH_SECRET;
});

describe("secret box (AES-256-GCM)", () => {
  const dsn = "postgresql://reader:s3cret@db.internal:5432/nexacloud";

  it("seals with a fresh IV each time and opens with the same key", () => {
    delete process.env.NEXA_ENCRYPTION_KEY;
    process.env.NEXTAUTH_SECRET = "a long development secret";
    const a = sealSecret(dsn);
    const b = sealSecret(dsn);
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(a).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(openSecret(a)).toBe(dsn);
    expect(openSecret(b)).toBe(dsn);
  });

  it("prefers NEXA_ENCRYPTION_KEY (hex or passphrase) and refuses another key or a tampered text", () => {
    process.env.NEXTAUTH_SECRET = "secret one";
    process.env.NEXA_ENCRYPTION_KEY = "ab".repeat(32);
    const sealed = sealSecret(dsn);
    process.env.NEXTAUTH_SECRET = "secret two"; // not used while the explicit key is set
    expect(openSecret(sealed)).toBe(dsn);
    process.env.NEXA_ENCRYPTION_KEY = "cd".repeat(32);
    expect(() => openSecret(sealed)).toThrow(SecretUnreadableError);
    process.env.NEXA_ENCRYPTION_KEY = "ab".repeat(32);
    const [v, iv, tag, body] = sealed.split(":");
    const flipped = body.slice(0, -2) + (body.endsWith("AA") ? "AB" : "AA");
    expect(() => openSecret([v, iv, tag, flipped].join(":"))).toThrow(SecretUnreadableError);
    expect(() => openSecret("garbage")).toThrow(SecretUnreadableError);
  });

  it("needs a key", () => {
    delete process.env.NEXA_ENCRYPTION_KEY;
    delete process.env.NEXTAUTH_SECRET;
    expect(() => sealSecret(dsn)).toThrow(/NEXA_ENCRYPTION_KEY or NEXTAUTH_SECRET/);
  });
});

describe("reconciliation tolerance", () => {
  const cents = (n: number) => BigInt(n);
  it("matches within the absolute cents or the percentage of NexaCloud's amount", () => {
    expect(withinTolerance(cents(1), cents(1000), { cents: cents(1), percent: "0" })).toBe(true);
    expect(withinTolerance(cents(-1), cents(1000), { cents: cents(1), percent: "0" })).toBe(true);
    expect(withinTolerance(cents(2), cents(1000), { cents: cents(1), percent: "0" })).toBe(false);
    expect(withinTolerance(cents(5), cents(1000), { cents: cents(0), percent: "0.5" })).toBe(true); // 0.5 % of $10 = 5 ¢
    expect(withinTolerance(cents(6), cents(1000), { cents: cents(0), percent: "0.5" })).toBe(false);
    expect(withinTolerance(cents(-500), cents(-4400), { cents: cents(0), percent: "12" })).toBe(true);
    expect(withinTolerance(cents(0), cents(0), { cents: cents(0), percent: "0" })).toBe(true);
  });

  it("reads months as YYYY-MM", () => {
    expect(isPeriod("2026-09")).toBe(true);
    expect(isPeriod("2026-13")).toBe(false);
    expect(isPeriod("2026-9")).toBe(false);
  });
});

describe("NexaCloud fixture", () => {
  it("is deterministic for a seed and carries every edge case", () => {
    const a = generateFixture({ seed: 3, users: 50 });
    const b = generateFixture({ seed: 3, users: 50 });
    expect(JSON.stringify(a.data.users.map((u) => [u.email, u.province]))).toBe(JSON.stringify(b.data.users.map((u) => [u.email, u.province])));
    expect(a.manifest).toEqual(b.manifest);
    expect(a.data.users).toHaveLength(50);
    expect(a.data.subscriptions.find((s) => s.user_id === 4)!.plan_id).toBeNull();
    expect(a.data.subscriptions.find((s) => s.user_id === 6)!.plan_id).toBe(99);
    expect(a.data.users[4].email.toLowerCase()).toBe(a.data.users[0].email.toLowerCase());
    expect(a.data.users[6]).toMatchObject({ country: "CA", province: null });
    expect(a.manifest.reconciliation[3]).toMatchObject({ status: "delta", deltaCents: -2450 });
  });

  it("hides a DSN's password for display", () => {
    expect(redactDsn("postgresql://reader:s3cret@db:5432/nexacloud")).toBe("postgresql://reader:***@db:5432/nexacloud");
    expect(redactDsn("not a url")).toBe("(not a valid postgresql:// URL)");
  });
});
