/**
 * ExecutionListeners: who wants to hear that a function ran in this
 * process. Every top-level run is reported once it has its outcome: a query
 * (a client's, a subscription's rerun, an action's `ctx.runQuery`), a
 * mutation with the conflicts it retried through, an action, an HTTP action.
 * Calls nested inside a query or mutation are part of their caller's run,
 * and a re-sent mutation answered from its record did not run at all, so
 * neither is reported.
 *
 * This is what `/metrics` counts and what a log tail shows (function-log.ts,
 * `npx convex logs`); it is data
 * handed up, never a hook into the run. A throwing listener is a bug of its
 * own and must not change an outcome already decided, so its error is
 * reported, not propagated.
 */
import type { FunctionKind } from './execution.ts';

export interface ExecutionRecord {
  kind: FunctionKind;
  /** The canonical function path (`messages:send`), or `METHOD /route` for an HTTP action. */
  path: string;
  /** From the call to its outcome, in milliseconds, retries and their backoff included. */
  durationMs: number;
  /** An HTTP action that answered is a success whatever its status; one that threw is not. */
  success: boolean;
  /** The times a mutation ran again after a write conflict (0 for every other kind). */
  occRetries: number;
  logLines: readonly string[];
  /** What the caller was told when it failed (an HTTP action's thrown error); null for a success. */
  errorMessage: string | null;
  /** When it finished, in milliseconds since the epoch. */
  endedAtMs: number;
}

export type ExecutionListener = (record: ExecutionRecord) => void;

export class ExecutionListeners {
  readonly #listeners = new Set<ExecutionListener>();

  add(listener: ExecutionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#listeners.size;
  }

  notify(record: ExecutionRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
