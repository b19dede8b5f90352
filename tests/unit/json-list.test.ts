import { describe, expect, it } from "vitest";
import { json, jsonList } from "@/lib/api/route";

/** jsonList sends a long list in pieces; the bytes must be exactly json()'s for the same body. */
describe("jsonList", () => {
  const receipt = (i: number) => ({ lago_id: `id-${i}`, idempotency_key: i % 3 ? `k-${i}` : `k "${i}" \\ ünï`, created_at: "2026-11-29T06:00:00.000Z", duplicate: i % 2 === 0 });

  it("answers the same bytes as json() for lists shorter and longer than one piece", async () => {
    for (const length of [0, 1, 255, 256, 257, 512, 1000]) {
      const items = Array.from({ length }, (_, i) => receipt(i));
      const listed = jsonList("usage", items);
      const whole = json({ usage: items });
      const bytes = Buffer.from(await listed.arrayBuffer());
      expect(bytes.equals(Buffer.from(await whole.arrayBuffer())), `${length} items`).toBe(true);
      expect(listed.headers.get("content-type")).toBe(whole.headers.get("content-type"));
      expect(listed.status).toBe(200);
    }
  });

  it("keeps the status it is given", () => {
    expect(jsonList("usage", [receipt(1)], 207).status).toBe(207);
  });
});
