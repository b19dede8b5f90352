import { stat } from "node:fs";
import { describe, expect, it } from "vitest";
import { TurnAdmission } from "@/lib/runtime/request-admission";

/** Resolves after `turns` turns of the event loop (an immediate scheduled from an immediate runs in the next turn). */
function afterTurns(turns: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number) => (left === 0 ? resolve() : setImmediate(step, left - 1));
    setImmediate(step, turns - 1);
  });
}

describe("TurnAdmission", () => {
  it("admits in arrival order, at most perTurn requests in each turn of the loop", async () => {
    const admission = new TurnAdmission(2);
    const admitted: { request: number; turn: number }[] = [];
    let turn = 0;
    const countTurns = () => {
      turn += 1;
      if (admitted.length < 5) setImmediate(countTurns);
    };
    setImmediate(countTurns);
    await Promise.all([0, 1, 2, 3, 4].map((request) => admission.admit().then(() => admitted.push({ request, turn }))));
    expect(admitted.map((a) => a.request)).toEqual([0, 1, 2, 3, 4]);
    const perTurn = new Map<number, number>();
    for (const a of admitted) perTurn.set(a.turn, (perTurn.get(a.turn) ?? 0) + 1);
    expect([...perTurn.values()]).toEqual([2, 2, 1]);
    expect([...perTurn.keys()].every((t, i, all) => i === 0 || t > all[i - 1])).toBe(true);
    expect(admission.queued).toBe(0);
  });

  it("counts what waits, and admits requests that come while others wait after them", async () => {
    const admission = new TurnAdmission(1);
    const order: string[] = [];
    const first = admission.admit().then(() => order.push("a"));
    const second = admission.admit().then(() => order.push("b"));
    expect(admission.queued).toBe(2);
    await first;
    expect(admission.queued).toBe(1);
    const third = admission.admit().then(() => order.push("c"));
    await Promise.all([second, third]);
    expect(order).toEqual(["a", "b", "c"]);
    expect(admission.queued).toBe(0);
  });

  it("admits a lone request within a turn and stays ready for the next", async () => {
    const admission = new TurnAdmission(4);
    let done = false;
    void admission.admit().then(() => (done = true));
    await afterTurns(1);
    expect(done).toBe(true);
    let again = false;
    void admission.admit().then(() => (again = true));
    await afterTurns(1);
    expect(again).toBe(true);
  });

  it("keeps its order across a long queue (compaction)", async () => {
    const admission = new TurnAdmission(64);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 3000 }, (_, n) => admission.admit().then(() => order.push(n))));
    expect(order).toEqual(Array.from({ length: 3000 }, (_, n) => n));
    expect(admission.queued).toBe(0);
  });

  it("lets I/O in between its turns: a file-system callback runs before a long queue is through", async () => {
    const admission = new TurnAdmission(1);
    const order: string[] = [];
    const all = Promise.all(Array.from({ length: 50 }, (_, n) => admission.admit().then(() => order.push(`request ${n}`))));
    const io = new Promise<void>((resolve) => stat(process.cwd(), () => (order.push("io"), resolve())));
    await Promise.all([all, io]);
    const at = order.indexOf("io");
    expect(at).toBeGreaterThan(-1);
    expect(at).toBeLessThan(order.length - 1);
  });

  it("drops a request whose caller went away, without spending the turn on it, and refuses one that waited too long", async () => {
    const gone = new AbortController();
    const admission = new TurnAdmission(1);
    const outcomes: string[] = [];
    const first = admission.admit(gone.signal).then(() => outcomes.push("gone: admitted"), (e: Error) => outcomes.push(`gone: ${e.name}`));
    const second = admission.admit().then(() => outcomes.push("second: admitted"));
    gone.abort();
    await Promise.all([first, second]);
    expect(outcomes).toEqual(["gone: PoolBusyError", "second: admitted"]);

    const impatient = new TurnAdmission(1, 0);
    await expect(impatient.admit()).rejects.toMatchObject({ name: "PoolBusyError", message: "waited more than 0 ms to be admitted" });
    expect(impatient.queued).toBe(0);
  });

  it("admits at least one request per turn", () => {
    expect(() => new TurnAdmission(0)).toThrow(/at least one/);
  });
});
