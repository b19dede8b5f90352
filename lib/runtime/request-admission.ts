/**
 * Admits the API's requests in the order they arrived, a few per turn of the event loop.
 *
 * libuv (since 1.45) accepts one new connection per turn of the loop. A saturated process does a turn's work for every
 * request that became ready in it, so its turns grow with the load (200 connections: 100–300 ms each). Connections
 * opened while it is saturated then wait in the kernel's accept queue, admitted one per turn, while the connections
 * already open are served again and again: measured with 200 connections opened at once, 30–100 of them had no answer
 * for seconds, and their first requests set the route's p99 (3–9× the median). Admitting a few requests per turn keeps
 * turns short, so new connections are accepted within milliseconds and every request waits its turn in one FIFO.
 *
 * The queue needs no bound of its own: an HTTP/1.1 connection has one request in flight, so it holds at most one
 * request per open connection, and a request past the database's bounded wait is refused there (503 server_busy).
 */

/** Requests admitted per turn: enough that pushes arriving together still share one statement (lib/usage). */
export const ADMISSIONS_PER_TURN = 4;

export class TurnAdmission {
  private waiting: (() => void)[] = [];
  private next = 0;
  private scheduled = false;

  constructor(private readonly perTurn: number) {}

  /** Resolves when the request may run: in a later turn of the loop, after every request that asked before it. */
  admit(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.admitTurn);
      }
    });
  }

  /** Requests waiting to be admitted. */
  get queued(): number {
    return this.waiting.length - this.next;
  }

  // An immediate scheduled from inside an immediate runs in the next turn, after that turn's I/O (and its accept).
  private readonly admitTurn = () => {
    for (let n = 0; n < this.perTurn && this.next < this.waiting.length; n++) this.waiting[this.next++]();
    if (this.next === this.waiting.length) {
      this.waiting = [];
      this.next = 0;
      this.scheduled = false;
    } else {
      if (this.next >= 1024) {
        this.waiting = this.waiting.slice(this.next);
        this.next = 0;
      }
      setImmediate(this.admitTurn);
    }
  };
}

const holder = globalThis as typeof globalThis & { nexaRequestAdmission?: TurnAdmission };

/** The process's admission (on globalThis: Next.js bundles each route apart, and all of them must share one queue). */
export function requestAdmission(): TurnAdmission {
  return (holder.nexaRequestAdmission ??= new TurnAdmission(ADMISSIONS_PER_TURN));
}
