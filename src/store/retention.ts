/**
 * Retention: old versions are kept for a bounded window so that snapshots a
 * little in the past stay readable (a running mutation, a paginated query
 * catching up), and pruned after it so that the database does not grow
 * without bound.
 *
 * The window is in commit-timestamp time (epoch nanoseconds): a prune at
 * `latest − window` keeps everything a snapshot younger than the window sees.
 */
import type { DocumentStore } from './store.ts';

export interface RetentionOptions {
  /** How far back snapshots stay readable. Convex mutations time out at 60 s; ten minutes is ample. */
  windowMs?: number;
  /** How often to prune. */
  everyMs?: number;
  /** Where a failed prune is reported; the next one tries again. */
  onError?: (error: unknown) => void;
}

const DEFAULT_WINDOW_MS = 10 * 60_000;
const DEFAULT_EVERY_MS = 60_000;

/** Prunes `store` on a timer until the returned function is called. */
export function startRetention(
  store: DocumentStore,
  options: RetentionOptions = {},
): () => void {
  const windowNs = BigInt(options.windowMs ?? DEFAULT_WINDOW_MS) * 1_000_000n;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    pruneOnce(store, windowNs)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = false;
      });
  }, options.everyMs ?? DEFAULT_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

async function pruneOnce(
  store: DocumentStore,
  windowNs: bigint,
): Promise<void> {
  const latest = await store.latestTs();
  if (latest > windowNs) await store.prune(latest - windowNs);
}
