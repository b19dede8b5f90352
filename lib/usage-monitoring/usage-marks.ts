/**
 * "This subscription has new usage": the only thing the usage write path does for thresholds and alerts. A mark is a
 * Set insertion in memory (no query on the hot path of POST /usage and POST /events); marks are flushed a moment later,
 * off the request, to the usage-monitor job queue (lib/jobs/usage-monitor-jobs.ts), which keeps only subscriptions
 * with something to watch. A mark lost with its process (a crash before the flush) is caught by the queue's periodic
 * sweep.
 */
type Sink = (subscriptionIds: string[]) => Promise<void>;

const FLUSH_DELAY_MS = Number(process.env.NEXA_USAGE_MARK_FLUSH_MS ?? 250);

const globalForMarks = globalThis as unknown as { nexaUsageMarks?: { pending: Set<string>; sink: Sink | null; timer: NodeJS.Timeout | null } };
const state = (globalForMarks.nexaUsageMarks ??= { pending: new Set(), sink: null, timer: null });

/** Installed by the job runner at start; without one (jobs off), marks are dropped and only the sweep watches usage. */
export function setUsageMarkSink(sink: Sink | null): void {
  state.sink = sink;
}

export function markUsageWritten(subscriptionIds: Iterable<string>): void {
  if (!state.sink) return;
  for (const id of subscriptionIds) if (id) state.pending.add(id);
  if (state.pending.size === 0 || state.timer) return;
  state.timer = setTimeout(flush, FLUSH_DELAY_MS);
  state.timer.unref?.();
}

function flush(): void {
  state.timer = null;
  const ids = [...state.pending];
  state.pending.clear();
  if (!ids.length || !state.sink) return;
  state.sink(ids).catch((error) => console.error("Usage monitor marks:", (error as Error).message));
}
