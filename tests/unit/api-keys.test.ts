import { describe, expect, it } from "vitest";
import { apiKeyLookupPrefix, apiKeyMatches, generateApiKey, hashApiKey } from "@/lib/services/api-keys";

describe("API keys", () => {
  it("are random, prefixed, and stored only as a hash", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.key.startsWith("nexa_sk_")).toBe(true);
    expect(a.key.length).toBeGreaterThan(40);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.slice(8));
    expect(apiKeyLookupPrefix(a.key)).toBe(a.prefix);
  });
  it("match only the exact key", () => {
    const { key, hash } = generateApiKey();
    expect(apiKeyMatches(key, hash)).toBe(true);
    expect(apiKeyMatches(key + "x", hash)).toBe(false);
    expect(apiKeyMatches(key.slice(0, -1), hash)).toBe(false);
  });
  it("reject strings that cannot be ours", () => {
    expect(apiKeyLookupPrefix("Bearer")).toBeNull();
    expect(apiKeyLookupPrefix("nexa_sk_")).toBeNull();
  });
});
