/**
 * CommitListeners: who wants to hear that this process committed. A
 * listener gets the commit's log entry (its timestamp and what it wrote, as
 * `readCommits` would return it); the commit log stays the one source of
 * truth, and commits of other processes are found there.
 *
 * A throwing listener is a bug of its own; it must not undo or delay a
 * commit that already happened, so its error is reported, not propagated.
 */
import type { CommitEntry } from './write-set.ts';

export type CommitListener = (entry: CommitEntry) => void;

export class CommitListeners {
  readonly #listeners = new Set<CommitListener>();

  add(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(entry: CommitEntry): void {
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
