/**
 * Admits the API's requests in the order they arrived, a few per turn of the event loop.
 *
 * libuv (since 1.45) accepts one new connection per turn of the loop. A saturated process does a turn's work for every
 * request that became ready in it, so its turns grow with the load (200 connections: 100–300 ms each). Connections
 * opened while it is saturated then wait in the kernel's accept queue, admitted one per turn, while the connections
 * already open are served again and again: measured with 200 connections opened at once, 25–110 of them had no answer
 * within 5 s, and their first requests set POST /usage's p99 (3–9× the floor's). Admitting a few requests per turn
 * keeps turns short, so every connection is accepted early and every request waits its turn in one FIFO (with 200
 * connections, all of them answered).
 *
 * The queue holds about one request per open connection (HTTP/1.1 clients rarely pipeline). A request whose caller has
 * gone is dropped when its turn comes, and one that waited past ADMISSION_WAIT_MS is answered 503 server_busy, so an
 * overloaded process sheds load instead of queueing without end.
 */
import { PoolBusyError } from "@/lib/db/sql";

/** Requests admitted per turn: a few, so that pushes arriving together still share a statement (lib/usage). */
export const ADMISSIONS_PER_TURN = 4;

/** How long a request may wait to be admitted (`API_ADMISSION_WAIT_MS`) before it is answered 503 server_busy. */
export const ADMISSION_WAIT_MS = Number(process.env.API_ADMISSION_WAIT_MS ?? 10_000);

interface Waiting {
  admit: () => void;
  refuse: (error: Error) => void;
  queuedAt: number;
  signal?: AbortSignal;
}

export class TurnAdmission {
  private waiting: Waiting[] = [];
  private next = 0;
  private scheduled = false;

  constructor(
    private readonly perTurn: number,
    private readonly maxWaitMs = ADMISSION_WAIT_MS,
  ) {
    if (!(perTurn >= 1)) throw new Error(`TurnAdmission admits at least one request per turn, not ${perTurn}`);
  }

  /**
   * Resolves when the request may run: in a later turn of the loop, after every request that asked before it. Rejects
   * with PoolBusyError (answered 503 server_busy) once it has waited maxWaitMs, or once its caller has gone (`signal`
   * aborted: the request is not run at all, and takes no place in the turn).
   */
  admit(signal?: AbortSignal): Promise<void> {
    return new Promise((admit, refuse) => {
      this.waiting.push({ admit, refuse, queuedAt: performance.now(), signal });
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
    const now = performance.now();
    for (let admitted = 0; admitted < this.perTurn && this.next < this.waiting.length; ) {
      const request = this.waiting[this.next++];
      if (request.signal?.aborted) request.refuse(new PoolBusyError("the caller went away while its request waited to be admitted"));
      else if (now - request.queuedAt >= this.maxWaitMs) request.refuse(new PoolBusyError(`waited more than ${this.maxWaitMs} ms to be admitted`));
      else {
        request.admit();
        admitted += 1;
      }
    }
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
