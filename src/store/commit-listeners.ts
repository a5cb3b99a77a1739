/**
 * CommitListeners: who wants to hear of commits. A listener gets the
 * commit's log entry (its timestamp and what it wrote, as `readCommits`
 * would return it) and whether this process made it; the store decides
 * which commits reach them, in what order (store.ts, `onCommit`).
 *
 * A throwing listener is a bug of its own; it must not undo or delay a
 * commit that already happened, so its error is reported, not propagated.
 */
import type { CommitListener } from './store.ts';
import type { CommitEntry } from './write-set.ts';

export class CommitListeners {
  readonly #listeners = new Set<CommitListener>();

  add(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(entry: CommitEntry, own: boolean): void {
    for (const listener of this.#listeners) {
      try {
        listener(entry, own);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
