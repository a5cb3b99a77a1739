/**
 * CommitListeners: who wants to hear that this process committed. A
 * listener gets the new timestamp only, a wake-up, not the data: it reads
 * what changed from the commit log (`readCommits`), which stays the one
 * source of truth, so a listener that misses a call loses nothing.
 *
 * A throwing listener is a bug of its own; it must not undo or delay a
 * commit that already happened, so its error is reported, not propagated.
 */
import type { Timestamp } from '../protocol/timestamp.ts';

export type CommitListener = (ts: Timestamp) => void;

export class CommitListeners {
  readonly #listeners = new Set<CommitListener>();

  add(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(ts: Timestamp): void {
    for (const listener of this.#listeners) {
      try {
        listener(ts);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
